// Secrets held in memory: for previews and tests. The Android app's secret store keeps them
// encrypted with a Keystore key instead (it implements the same interface).
//
// Invariant: thread-safe, since the core calls it from its own threads.
package uk.doorstep.shared

import java.util.concurrent.ConcurrentHashMap
import uniffi.doorstep_mobile.SecretStore

class MemorySecrets : SecretStore {
    val held = ConcurrentHashMap<String, String>()

    override fun get(name: String): String? = held[name]

    override fun set(name: String, value: String) {
        held[name] = value
    }

    override fun delete(name: String) {
        held.remove(name)
    }
}
