// Secrets held in memory: for previews and tests. The iOS app's secret store keeps them in the
// Keychain instead (it implements the same protocol).
//
// Invariant: thread-safe, since the core calls it from its own threads.
import Foundation

public final class MemorySecrets: SecretStore, @unchecked Sendable {
    private let lock = NSLock()
    private var held: [String: String] = [:]

    public init() {}

    public var names: [String] { lock.withLock { Array(held.keys) } }

    public func get(name: String) throws -> String? { lock.withLock { held[name] } }

    public func set(name: String, value: String) throws { lock.withLock { held[name] = value } }

    public func delete(name: String) throws { _ = lock.withLock { held.removeValue(forKey: name) } }
}
