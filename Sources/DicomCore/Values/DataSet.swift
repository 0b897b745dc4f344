/// An ordered collection of data elements: a data set, or an item of a sequence (PS3.5 §7).
///
/// Elements are kept in ascending tag order. Values are decoded lazily by the typed accessors in
/// `DataSet+Accessors.swift`; bulk values stay slices of the bytes they were read from until asked for.
///
/// ```swift
/// var ds = DataSet()
/// try ds.setString("Wang^Wei", for: .patientName)
/// ds.string(.patientName)       // "Wang^Wei"
/// ```
public struct DataSet: Sendable {
    /// The elements, in ascending tag order.
    public private(set) var elements: [DataElement]
    /// The character set in effect: this data set's own Specific Character Set (0008,0005), else the one inherited
    /// from the enclosing data set (PS3.5 §7.5.3 — an item may declare its own).
    public var characterSet: SpecificCharacterSet
    /// As an item of a sequence, it was encoded with undefined length. The writer keeps this so canonical input round-trips.
    public var hasUndefinedLength: Bool
    /// Elements were appended out of tag order; `restoreOrder()` sorts them.
    var isOutOfOrder = false

    /// An empty data set using `characterSet` for its strings.
    public init(characterSet: SpecificCharacterSet = .default) {
        self.elements = []
        self.characterSet = characterSet
        self.hasUndefinedLength = false
    }

    /// A data set of `elements`, sorted by tag. A later duplicate replaces an earlier one.
    public init(_ elements: [DataElement], characterSet: SpecificCharacterSet = .default) {
        self.init(characterSet: characterSet)
        for e in elements { set(e) }
    }

    /// The number of elements at this level.
    public var count: Int { elements.count }
    /// The data set has no elements.
    public var isEmpty: Bool { elements.isEmpty }

    /// The element with `tag`, if present.
    public subscript(tag: Tag) -> DataElement? {
        guard let i = index(of: tag) else { return nil }
        return elements[i]
    }

    /// The data set holds an element with `tag`.
    public func contains(_ tag: Tag) -> Bool { index(of: tag) != nil }

    /// Adds `element`, replacing any element with the same tag, and keeps `characterSet` in step with (0008,0005).
    public mutating func set(_ element: DataElement) {
        let (found, i) = search(element.tag)
        if found { elements[i] = element } else { elements.insert(element, at: i) }
        if element.tag == .specificCharacterSet { characterSet = SpecificCharacterSet(terms: strings(.specificCharacterSet, characterSet: .default)) }
    }

    /// Appends an element as the parser reads it. Out-of-order input is appended too and sorted once by
    /// `restoreOrder()`: inserting each in place would be quadratic on hostile input with descending tags.
    mutating func append(_ element: DataElement) {
        if !elements.isEmpty && elements[elements.count - 1].tag >= element.tag { isOutOfOrder = true }
        elements.append(element)
    }

    /// Makes room for `count` more elements.
    mutating func reserveCapacity(_ count: Int) {
        if count > elements.capacity - elements.count { elements.reserveCapacity(elements.count + count) }
    }

    /// Sorts elements appended out of order, keeping the last of duplicate tags, as `set` would have.
    mutating func restoreOrder() {
        guard isOutOfOrder else { return }
        isOutOfOrder = false
        let sorted = elements.enumerated().sorted { ($0.element.tag, $0.offset) < ($1.element.tag, $1.offset) }.map(\.element)
        var unique: [DataElement] = []
        unique.reserveCapacity(sorted.count)
        for e in sorted {
            if let last = unique.last, last.tag == e.tag { unique[unique.count - 1] = e } else { unique.append(e) }
        }
        elements = unique
    }

    /// Removes the element with `tag` and returns it.
    @discardableResult
    public mutating func remove(_ tag: Tag) -> DataElement? {
        guard let i = index(of: tag) else { return nil }
        return elements.remove(at: i)
    }

    /// Removes every element whose tag satisfies `predicate`.
    public mutating func removeAll(where predicate: (Tag) -> Bool) {
        elements.removeAll { predicate($0.tag) }
    }

    /// The elements of group `group`.
    public func elements(inGroup group: UInt16) -> ArraySlice<DataElement> {
        let lo = search(Tag(group, 0)).1
        let hi = group == 0xFFFF ? elements.count : search(Tag(group + 1, 0)).1
        return elements[lo..<hi]
    }

    func index(of tag: Tag) -> Int? {
        let (found, i) = search(tag)
        return found ? i : nil
    }

    /// Binary search: whether `tag` is present, and its index or insertion point.
    private func search(_ tag: Tag) -> (Bool, Int) {
        var lo = 0, hi = elements.count
        let key = tag.value
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = elements[mid].tag.value
            if v == key { return (true, mid) }
            if v < key { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }
}

extension DataSet: Sequence {
    /// Iterates the elements in tag order.
    public func makeIterator() -> IndexingIterator<[DataElement]> { elements.makeIterator() }
}
