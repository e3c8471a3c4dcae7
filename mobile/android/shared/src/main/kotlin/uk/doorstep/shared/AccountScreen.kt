// The resident's account as its screen draws it: sign in with a code sent by email, signed in
// as …, sign out; their data exported as a file, or erased after they confirm. No Android
// import: the JVM tests drive this model.
//
// Invariant: who is signed in, where the code went, every refusal, the exported text and the
// erasing are the core's; a refusal stands beside the field it names (the email or the code)
// and what was typed is kept; each tap acts at most once, and nothing is erased unless the
// resident confirmed it.
package uk.doorstep.shared

import java.time.Clock
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_mobile.exportFileName
import uniffi.doorstep_protocol.CodeSent

sealed class SignIn {
    /** The email to send a code to; `error` is beside the email field. */
    data class Email(val email: String, val error: String? = null) : SignIn()

    /** The code sent to `sent.sentTo`; `error` is beside the code field. */
    data class Code(val email: String, val sent: CodeSent, val code: String = "", val error: String? = null) : SignIn()

    data class SignedIn(val email: String) : SignIn()
}

sealed class AccountState {
    data object Loading : AccountState()

    /**
     * The account. `busy` while a call is on its way; `problem` a failure that names no field;
     * `exported` the resident's data once asked for; `confirmingErase` once they asked to erase;
     * `erased` once it is done.
     */
    data class Ready(
        val signIn: SignIn,
        val busy: Boolean = false,
        val problem: String? = null,
        val exported: SharedFile? = null,
        val confirmingErase: Boolean = false,
        val erased: Boolean = false,
    ) : AccountState()
}

class AccountScreen(private val resident: Resident, private val clock: Clock = Clock.systemDefaultZone()) {
    private val current = MutableStateFlow<AccountState>(AccountState.Loading)
    val state: StateFlow<AccountState> = current.asStateFlow()

    suspend fun load() {
        current.value = AccountState.Loading
        current.value = when (val who = resident.signedInAs()) {
            is Outcome.Done -> AccountState.Ready(who.value?.let { SignIn.SignedIn(it) } ?: SignIn.Email(""))
            is Outcome.Failed -> AccountState.Ready(SignIn.Email(""), problem = who.reason)
        }
    }

    fun typeEmail(email: String) = edit { ready -> (ready.signIn as? SignIn.Email)?.let { ready.copy(signIn = it.copy(email = email)) } }

    fun typeCode(code: String) = edit { ready -> (ready.signIn as? SignIn.Code)?.let { ready.copy(signIn = it.copy(code = code)) } }

    /** "Send me a code". */
    suspend fun sendCode() = act<SignIn.Email> { asked ->
        when (val sent = resident.signIn(asked.email)) {
            is Outcome.Done -> SignIn.Code(asked.email.trim(), sent.value) to null
            is Outcome.Failed -> beside(EMAIL, sent, asked.copy(error = sent.reason), asked.copy(error = null))
        }
    }

    /** "Use a different email address". */
    fun differentEmail() = edit { ready -> (ready.signIn as? SignIn.Code)?.let { ready.copy(signIn = SignIn.Email(it.email)) } }

    /** "Sign in" with the code typed. */
    suspend fun verify() = act<SignIn.Code> { entered ->
        when (val account = resident.verify(entered.email, entered.code)) {
            is Outcome.Done -> SignIn.SignedIn(account.value) to null
            is Outcome.Failed -> beside(CODE, account, entered.copy(error = account.reason), entered.copy(error = null))
        }
    }

    suspend fun signOut() = act<SignIn.SignedIn> { signedIn ->
        when (val out = resident.signOut()) {
            is Outcome.Done -> SignIn.Email("") to null
            is Outcome.Failed -> signedIn to out.reason
        }
    }

    /** The resident's data as a file, for the platform to share or save. */
    suspend fun export() {
        val ready = current.value as? AccountState.Ready ?: return
        if (ready.busy || !current.compareAndSet(ready, ready.copy(busy = true, problem = null, exported = null))) return
        val data = resident.exportData()
        edit {
            when (data) {
                is Outcome.Done -> it.copy(busy = false, exported = SharedFile(exportFileName(clock.instant(), clock.zone.rules.getOffset(clock.instant()).totalSeconds), data.value))
                is Outcome.Failed -> it.copy(busy = false, problem = data.reason)
            }
        }
    }

    /** "Delete your data": asks first. */
    fun askErase() = edit { it.copy(confirmingErase = true) }

    /** "No, keep it". */
    fun keepData() = edit { it.copy(confirmingErase = false) }

    /** "Yes, delete my data": only once asked, and once per tap. */
    suspend fun erase() {
        val ready = current.value as? AccountState.Ready ?: return
        if (!ready.confirmingErase || ready.busy || !current.compareAndSet(ready, ready.copy(busy = true, problem = null))) return
        current.value = when (val erased = resident.erase()) {
            is Outcome.Done -> AccountState.Ready(SignIn.Email(""), erased = true)
            is Outcome.Failed -> ready.copy(busy = false, problem = erased.reason)
        }
    }

    /** One call from the sign-in part shown as `S`: none while another is on its way. */
    private suspend inline fun <reified S : SignIn> act(call: (S) -> Pair<SignIn, String?>) {
        val ready = current.value as? AccountState.Ready ?: return
        val part = ready.signIn as? S ?: return
        if (ready.busy || !current.compareAndSet(ready, ready.copy(busy = true, problem = null))) return
        val (next, problem) = call(part)
        current.value = ready.copy(signIn = next, busy = false, problem = problem)
    }

    private fun edit(change: (AccountState.Ready) -> AccountState.Ready?) {
        while (true) {
            val ready = current.value as? AccountState.Ready ?: return
            val next = change(ready) ?: return
            if (current.compareAndSet(ready, next)) return
        }
    }

    companion object {
        /** The fields the core's refusals name. */
        const val EMAIL = "email"
        const val CODE = "code"
    }
}

/** The refusal beside `field` when it names it; otherwise the part as it was, and the refusal as the screen's problem. */
private fun beside(field: String, failure: Outcome.Failed, named: SignIn, unnamed: SignIn): Pair<SignIn, String?> =
    if (failure.field == field) named to null else unnamed to failure.reason
