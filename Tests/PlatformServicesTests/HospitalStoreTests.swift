import Foundation
import Testing
@testable import PlatformServices

/// Hospitals and departments as administrators manage them, on both engines.
@Suite struct HospitalStoreTests {
    @Test(arguments: TestDatabases.Engine.allCases)
    func aNewHospitalIsOfferedToSignUpAndRoutesItsInstitutionNames(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            let made = try await store.createHospital(id: "west", name: " 城西医院 ", aliases: ["West Hospital"], departments: ["放射科", "超声科"])
            #expect(made.name == "城西医院" && made.aliases == ["West Hospital"] && made.departments == ["放射科", "超声科"])
            #expect(try await store.hospitals().last?.id == "west", "a new hospital comes after the default one")
            // Sign-up accepts its departments.
            _ = try await store.register(RegistrationRequest(name: "钱", phone: "13900000009", hospitalId: "west", department: "超声科",
                                                             title: "医师", username: "qian", password: "Strong#Pass1"))
            // Names and aliases belong to one hospital; ids are fixed and short.
            await #expect { try await store.createHospital(id: "west", name: "别的") } throws: { ($0 as? PlatformError)?.code == .conflict }
            await #expect { try await store.createHospital(id: "w2", name: "demo general hospital") } throws: { ($0 as? PlatformError)?.code == .conflict }
            await #expect { try await store.createHospital(id: "West Side", name: "X") } throws: { ($0 as? PlatformError)?.parameter == "id" }
            await #expect { try await store.createHospital(id: "w3", name: "  ") } throws: { ($0 as? PlatformError)?.parameter == "name" }
            await #expect { try await store.setHospitalAliases("west", ["演示东院"]) } throws: { ($0 as? PlatformError)?.code == .conflict }
            let renamed = try await store.renameHospital("west", to: "城西人民医院")
            #expect(renamed.name == "城西人民医院" && renamed.departments == ["放射科", "超声科"])
            #expect(try await store.setHospitalAliases("west", ["West People's Hospital", "west people's hospital"]).aliases == ["West People's Hospital"])
            await #expect { try await store.renameHospital("nowhere", to: "X") } throws: { ($0 as? PlatformError)?.code == .notFound }
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func aChangeRefusedInOnePartChangesNothingAndAnAcceptedOneSaysWhatChanged(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            _ = try await store.createHospital(id: "east", name: "城东医院", aliases: ["East"], departments: ["放射科"])
            _ = try await store.createUser(username: "radio", password: "Strong#Pass1", name: "Dr", roles: [.doctor],
                                           scope: .department(hospitalId: "east", department: "放射科"))
            let before = try await store.hospital(id: "east")
            // The rename, the aliases and the new department come before the refused removal, in the same transaction.
            for refused in [HospitalChange(name: "城东人民医院", aliases: ["East People's"], addDepartments: ["超声科"], removeDepartments: ["放射科"]),
                            HospitalChange(name: "城东人民医院", addDepartments: ["超声科"], removeDepartments: ["骨科"]),
                            HospitalChange(name: "城东人民医院", addDepartments: ["超声科", "超声科"])] {
                await #expect { try await store.changeHospital("east", refused) } throws: { error in
                    [.conflict, .notFound].contains((error as? PlatformError)?.code)
                }
                #expect(try await store.hospital(id: "east") == before, "\(refused)")
            }
            let (after, changes) = try await store.changeHospital("east", HospitalChange(name: " 城东医院 ", aliases: ["East", "EAST 2"], addDepartments: ["超声科"]))
            #expect(changes == ["aliases [\"East\", \"EAST 2\"]", "added department 超声科"], "a rename to the current name is no change")
            #expect(after.name == "城东医院" && after.aliases == ["East", "EAST 2"] && after.departments.sorted() == ["放射科", "超声科"].sorted())
        }
    }

    @Test(arguments: TestDatabases.Engine.allCases)
    func departmentsInUseAndHospitalsWithAccountsAreNotRemoved(_ engine: TestDatabases.Engine) async throws {
        try await TestDatabases.withStore(engine) { store in
            _ = try await store.createHospital(id: "north", name: "城北医院", departments: ["放射科"])
            #expect(try await store.addDepartment("心内科", toHospital: "north").departments == ["心内科", "放射科"])
            await #expect { try await store.addDepartment("心内科", toHospital: "north") } throws: { ($0 as? PlatformError)?.code == .conflict }
            await #expect { try await store.addDepartment(" ", toHospital: "north") } throws: { ($0 as? PlatformError)?.parameter == "department" }
            let doctor = try await store.createUser(username: "cardio", password: "Strong#Pass1", name: "Dr", roles: [.doctor],
                                                    scope: .department(hospitalId: "north", department: "心内科"))
            await #expect { try await store.removeDepartment("心内科", fromHospital: "north") } throws: { ($0 as? PlatformError)?.code == .conflict }
            await #expect { try await store.removeDepartment("骨科", fromHospital: "north") } throws: { ($0 as? PlatformError)?.code == .notFound }
            // Once the account is scoped elsewhere, the department can go; the hospital still has that account's scope history.
            _ = try await store.updateAccess(doctor.id, roles: nil, scope: .hospital("h1"))
            #expect(try await store.removeDepartment("心内科", fromHospital: "north").departments == ["放射科"])
            // A hospital with an account is kept; an unused one can be deleted, but never the only one.
            _ = try await store.createUser(username: "northdoc", password: "Strong#Pass1", name: "Dr N", roles: [.doctor], hospitalId: "north")
            await #expect { try await store.deleteHospital("north") } throws: { ($0 as? PlatformError)?.code == .conflict }
            _ = try await store.createHospital(id: "typo", name: "城北医院（错）")
            try await store.deleteHospital("typo")
            #expect(try await store.hospitals().map(\.id) == ["h1", "h2", "north"])
            // h1 has studies once one arrives.
            _ = try await store.ingest(bytes: try TestInstance().bytes(), source: "test")
            await #expect { try await store.deleteHospital("h1") } throws: { ($0 as? PlatformError)?.code == .conflict }
        }
    }
}
