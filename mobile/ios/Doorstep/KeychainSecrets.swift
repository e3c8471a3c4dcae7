// The resident's tokens in the iOS Keychain, readable only while this phone is unlocked after
// its first unlock and never synced to other devices.
//
// Invariant: the Keychain is the only place a token is written; a Keychain error reaches the
// core as `SecretStoreError.Unavailable`, never as a crash.
import Foundation
import Security

final class KeychainSecrets: SecretStore, @unchecked Sendable {
    private let service = "uk.doorstep.secrets"

    private func query(_ name: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service, kSecAttrAccount as String: name]
    }

    func get(name: String) throws -> String? {
        var found: AnyObject?
        var lookup = query(name)
        lookup[kSecReturnData as String] = true
        let status = SecItemCopyMatching(lookup as CFDictionary, &found)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = found as? Data else {
            throw SecretStoreError.Unavailable(reason: "the Keychain answered \(status)")
        }
        return String(data: data, encoding: .utf8)
    }

    func set(name: String, value: String) throws {
        try delete(name: name)
        var item = query(name)
        item[kSecValueData as String] = Data(value.utf8)
        item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw SecretStoreError.Unavailable(reason: "the Keychain answered \(status)") }
    }

    func delete(name: String) throws {
        let status = SecItemDelete(query(name) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw SecretStoreError.Unavailable(reason: "the Keychain answered \(status)")
        }
    }
}
