// The few Node APIs the web unit tests use, declared here because @types/node is not installable
// (no npm registry). Type-checked together with lib.dom, as the tests run code written for browsers.

declare module 'node:test' {
  type TestFn = (t: { name: string }) => void | Promise<void>;
  export function test(name: string, fn: TestFn): Promise<void>;
  export function describe(name: string, fn: () => void): void;
  export function it(name: string, fn: TestFn): Promise<void>;
  export default test;
}

declare module 'node:assert/strict' {
  interface Assert {
    (value: unknown, message?: string): asserts value;
    ok(value: unknown, message?: string): asserts value;
    equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    notEqual(actual: unknown, expected: unknown, message?: string): void;
    deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    notDeepEqual(actual: unknown, expected: unknown, message?: string): void;
    throws(fn: () => unknown, expected?: ((e: any) => boolean) | RegExp | object, message?: string): void;
    rejects(p: Promise<unknown> | (() => Promise<unknown>), expected?: ((e: any) => boolean) | RegExp | object, message?: string): Promise<void>;
    fail(message?: string): never;
  }
  const assert: Assert;
  export default assert;
}

declare module 'node:fs' {
  export function readFileSync(path: string | URL): Uint8Array;
  export function readFileSync(path: string | URL, encoding: 'utf8'): string;
  export function readdirSync(path: string | URL): string[];
}

declare module 'node:zlib' {
  export function gzipSync(data: Uint8Array, options?: { level?: number }): Uint8Array;
}

declare module 'node:child_process' {
  export function execFileSync(file: string, args: string[], options?: { stdio?: 'pipe' | 'inherit' }): Uint8Array;
}

declare module 'node:url' {
  export function fileURLToPath(url: string | URL): string;
}

declare const process: { argv: string[], version: string, execPath: string };
