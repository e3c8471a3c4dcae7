//! The commands the page calls. Each converts its arguments, calls one core method and converts
//! the answer: no rule lives here (DESIGN.md §1).
//!
//! Invariant: every failure reaches the page as a `ShellError` — the core's bucket (`invalid`,
//! `offline`, ...), a message in plain words and, for bad input, the fields to fix — never as a
//! panic or a bare string.

use std::collections::BTreeMap;

use base64::Engine as _;
use doorstep_core::{
    Error, MyBooking, MyPayment, MyReport, OutboxEntry, SyncReport,
    bins::Fresh,
    bookings::SlotView,
    catalogue::{Group, TopTask},
    drafts::Draft,
    form::{self, BookingToCheck, CheckedAnswer, Field, ReportToCheck},
    payments::amount_in_pence,
    reports::ReportInput,
};
use doorstep_protocol::{
    AddressList, CodeSent, CollectionCalendar, ContactDetails, Fallback, FieldProblem, Location,
    ServiceDefinition, ServiceKind, ServiceSummary, Slot, rules::GivenAnswer,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Runtime, State, ipc::Invoke};

use crate::{payment, shell::AppStatus, shell::Shell};

/// A failure as the page sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShellError {
    /// `invalid`, `not_found`, `offline`, `auth_required`, `refused`, `storage` or `internal`.
    pub kind: &'static str,
    pub message: String,
    /// For `invalid`: each field to fix.
    pub problems: Vec<FieldProblem>,
    /// For `refused`: the council's code and the field it names.
    pub code: Option<String>,
    pub field: Option<String>,
    /// For a slot that was taken: the nearest ones free.
    pub alternatives: Vec<Slot>,
}

impl From<Error> for ShellError {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        let plain = |kind| ShellError {
            kind,
            message: message.clone(),
            problems: Vec::new(),
            code: None,
            field: None,
            alternatives: Vec::new(),
        };
        match error {
            Error::Invalid { problems } => ShellError {
                problems,
                ..plain("invalid")
            },
            Error::NotFound(_) => plain("not_found"),
            Error::Offline(_) => plain("offline"),
            Error::AuthRequired(_) => plain("auth_required"),
            Error::Refused {
                code,
                field,
                alternatives,
                ..
            } => ShellError {
                code: Some(code),
                field,
                alternatives,
                ..plain("refused")
            },
            Error::NotOffered(_) => plain("not_offered"),
            Error::Storage(_) => plain("storage"),
            Error::Internal(_) => plain("internal"),
        }
    }
}

impl ShellError {
    fn internal(message: impl std::fmt::Display) -> Self {
        Error::Internal(message.to_string()).into()
    }
}

type Answered<T> = Result<T, ShellError>;

/// A report as the form sends it; photos come beside it, as base64.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportForm {
    service_code: String,
    description: String,
    location: Location,
    #[serde(default)]
    answers: BTreeMap<String, GivenAnswer>,
    #[serde(default)]
    contact: Option<ContactDetails>,
}

/// Contact details with the empty fields left out.
fn contact(given: Option<ContactDetails>) -> Option<ContactDetails> {
    let filled = |field: Option<String>| field.filter(|v| !v.trim().is_empty());
    given
        .map(|c| ContactDetails {
            name: filled(c.name),
            email: filled(c.email),
            phone: filled(c.phone),
        })
        .filter(|c| c.name.is_some() || c.email.is_some() || c.phone.is_some())
}

/// Every command, for the app's builder (and its tests).
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_status,
        set_council_url,
        set_online,
        ready,
        refresh_catalogue,
        services,
        service_groups,
        top_tasks,
        service,
        submit_report,
        reports,
        report,
        add_update,
        service_form,
        check_report,
        check_booking,
        fallback_choices,
        booking_fee,
        slots,
        book,
        bookings,
        booking,
        cancel_booking,
        may_cancel,
        fee_due,
        pay_booking_fee,
        start_payment,
        payments,
        payment,
        refresh_payment,
        open_payment_page,
        open_council_page,
        addresses,
        collections,
        save_bin_calendar,
        remember_bin_address,
        bin_address,
        outbox,
        retry,
        fix,
        discard,
        sync_now,
        save_draft,
        drafts,
        delete_draft,
        sign_in,
        verify,
        sign_out,
        export_data,
        erase,
    ]
}

/// Open the council's own page for a service the app does not do itself (information only) in
/// the resident's web browser. Only the address the catalogue gives is opened, never one the
/// page names, and only a web address.
#[tauri::command(rename_all = "snake_case")]
async fn open_council_page(shell: State<'_, Shell>, code: String) -> Answered<()> {
    let service = shell.core().await.service(&code).await?;
    let url = service
        .more_info_url
        .filter(|url| service.kind == ServiceKind::Info && doorstep_protocol::rules::web_page(url))
        .ok_or_else(|| {
            Error::NotFound(format!(
                "{} has no web page to open: it is done here, in the app",
                service.name
            ))
        })?;
    open::that_detached(&url).map_err(|e| {
        ShellError::from(Error::Internal(format!(
            "Your web browser could not be opened ({e}). The page is at {url}"
        )))
    })
}

#[tauri::command(rename_all = "snake_case")]
async fn app_status(shell: State<'_, Shell>) -> Answered<AppStatus> {
    Ok(shell.status().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn set_council_url(shell: State<'_, Shell>, url: Option<String>) -> Answered<AppStatus> {
    shell.switch(url).await.map_err(|e| {
        ShellError::from(Error::invalid(
            "url",
            format!("That council could not be used: {e:#}"),
        ))
    })?;
    Ok(shell.status().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn set_online(shell: State<'_, Shell>, online: bool) -> Answered<()> {
    shell.core().await.set_online(online).await;
    Ok(())
}

/// The page is listening: replay the outbox counts and the sync state to it.
#[tauri::command(rename_all = "snake_case")]
async fn ready(shell: State<'_, Shell>) -> Answered<()> {
    drop(shell.core().await.subscribe().await);
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
async fn refresh_catalogue(shell: State<'_, Shell>) -> Answered<bool> {
    Ok(shell.core().await.refresh_catalogue().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn services(
    shell: State<'_, Shell>,
    search: Option<String>,
) -> Answered<Vec<ServiceSummary>> {
    Ok(shell.core().await.services(search.as_deref()).await?)
}

/// The services under the council's names for its groups, only those of `kind` when given.
#[tauri::command(rename_all = "snake_case")]
async fn service_groups(
    shell: State<'_, Shell>,
    kind: Option<ServiceKind>,
) -> Answered<Vec<Group>> {
    Ok(shell.core().await.service_groups(kind).await?)
}

/// The home page's ways in to what the council offers, in the core's words.
#[tauri::command(rename_all = "snake_case")]
async fn top_tasks(shell: State<'_, Shell>) -> Answered<Vec<TopTask>> {
    Ok(doorstep_core::catalogue::top_tasks(
        &shell.core().await.capabilities(),
    ))
}

#[tauri::command(rename_all = "snake_case")]
async fn service(shell: State<'_, Shell>, code: String) -> Answered<ServiceDefinition> {
    Ok(shell.core().await.service(&code).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn submit_report(
    shell: State<'_, Shell>,
    input: ReportForm,
    photos: Vec<String>,
) -> Answered<MyReport> {
    let core = shell.core().await;
    let mut decoded = Vec::with_capacity(photos.len());
    for (i, photo) in photos.iter().enumerate() {
        decoded.push(
            base64::engine::general_purpose::STANDARD
                .decode(photo)
                .map_err(|_| {
                    ShellError::from(Error::invalid(
                        &format!("photos.{i}"),
                        "This photo could not be read: choose it again",
                    ))
                })?,
        );
    }
    let answers = core
        .answers(&input.service_code, input.answers.into_iter().collect())
        .await?;
    let report = ReportInput {
        service_code: input.service_code,
        description: input.description,
        location: input.location,
        answers,
        photos: decoded,
        contact: contact(input.contact),
    };
    Ok(core.submit_report(report).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn reports(shell: State<'_, Shell>) -> Answered<Vec<MyReport>> {
    Ok(shell.core().await.reports().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn report(shell: State<'_, Shell>, local_id: String) -> Answered<MyReport> {
    Ok(shell.core().await.report(&local_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn add_update(
    shell: State<'_, Shell>,
    local_id: String,
    text: String,
    reopen: bool,
) -> Answered<MyReport> {
    Ok(shell
        .core()
        .await
        .add_update(&local_id, &text, reopen)
        .await?)
}

/// The form the service's questions make: each question's field, in the council's order.
#[tauri::command(rename_all = "snake_case")]
async fn service_form(shell: State<'_, Shell>, service_code: String) -> Answered<Vec<Field>> {
    Ok(shell.core().await.form(&service_code).await?)
}

/// "Check your answers" for a report before it is sent, every row in the core's words.
#[tauri::command(rename_all = "snake_case")]
async fn check_report(
    shell: State<'_, Shell>,
    report: ReportToCheck,
) -> Answered<Vec<CheckedAnswer>> {
    Ok(shell.core().await.check_report(&report).await?)
}

/// "Check your answers" for a booking before it is made, every row in the core's words.
#[tauri::command(rename_all = "snake_case")]
async fn check_booking(
    shell: State<'_, Shell>,
    booking: BookingToCheck,
) -> Answered<Vec<CheckedAnswer>> {
    Ok(shell.core().await.check_booking(&booking).await?)
}

/// What the booking form offers to do when the time chosen is taken, in the core's words.
#[tauri::command(rename_all = "snake_case")]
async fn fallback_choices() -> Answered<Vec<FallbackChoice>> {
    Ok(form::FALLBACKS
        .into_iter()
        .map(|fallback| FallbackChoice {
            key: fallback,
            name: form::fallback_words(fallback),
        })
        .collect())
}

/// One of the booking form's choices of what to do when the time chosen is taken.
#[derive(Serialize)]
struct FallbackChoice {
    key: Fallback,
    name: &'static str,
}

/// The fee for a booking with these answers so far (pence), for the form to show.
#[tauri::command(rename_all = "snake_case")]
async fn booking_fee(
    shell: State<'_, Shell>,
    service_code: String,
    answers: BTreeMap<String, GivenAnswer>,
) -> Answered<Option<u32>> {
    let core = shell.core().await;
    let answers = core
        .answers(&service_code, answers.into_iter().collect())
        .await?;
    Ok(core.booking_fee(&service_code, &answers).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn slots(shell: State<'_, Shell>, service_code: String) -> Answered<SlotView> {
    Ok(shell.core().await.slots(&service_code).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn book(
    shell: State<'_, Shell>,
    service_code: String,
    slot_id: String,
    answers: BTreeMap<String, GivenAnswer>,
    location: Option<Location>,
    fallback: Fallback,
) -> Answered<MyBooking> {
    let core = shell.core().await;
    let answers = core
        .answers(&service_code, answers.into_iter().collect())
        .await?;
    Ok(core
        .book(&service_code, &slot_id, answers, location, fallback)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn bookings(shell: State<'_, Shell>) -> Answered<Vec<MyBooking>> {
    Ok(shell.core().await.bookings().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn booking(shell: State<'_, Shell>, local_id: String) -> Answered<MyBooking> {
    Ok(shell.core().await.booking(&local_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn cancel_booking(shell: State<'_, Shell>, local_id: String) -> Answered<MyBooking> {
    Ok(shell.core().await.cancel_booking(&local_id).await?)
}

/// Whether a booking may be cancelled now (the council has it, and its cut-off has not passed).
#[tauri::command(rename_all = "snake_case")]
async fn may_cancel(shell: State<'_, Shell>, local_id: String) -> Answered<bool> {
    Ok(shell.core().await.may_cancel(&local_id).await?)
}

/// The fee the resident is asked to pay for a booking now (pence), if any.
#[tauri::command(rename_all = "snake_case")]
async fn fee_due(shell: State<'_, Shell>, local_id: String) -> Answered<Option<u32>> {
    Ok(shell.core().await.fee_due(&local_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn pay_booking_fee(shell: State<'_, Shell>, local_id: String) -> Answered<MyPayment> {
    Ok(shell
        .core()
        .await
        .pay_booking_fee(&local_id, payment::RETURN_URL)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn start_payment(
    shell: State<'_, Shell>,
    purpose: String,
    reference: String,
    amount: String,
    email: Option<String>,
) -> Answered<MyPayment> {
    let pence = amount_in_pence(&amount)?;
    Ok(shell
        .core()
        .await
        .start_payment(
            &purpose,
            &reference,
            pence,
            payment::RETURN_URL,
            email.as_deref(),
        )
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn payments(shell: State<'_, Shell>) -> Answered<Vec<MyPayment>> {
    Ok(shell.core().await.payments().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn payment(shell: State<'_, Shell>, local_id: String) -> Answered<MyPayment> {
    Ok(shell.core().await.payment(&local_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn refresh_payment(shell: State<'_, Shell>, local_id: String) -> Answered<MyPayment> {
    Ok(shell.core().await.refresh_payment(&local_id).await?)
}

/// Open the provider's page for a payment that waits for the resident.
#[tauri::command(rename_all = "snake_case")]
async fn open_payment_page<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    local_id: String,
) -> Answered<()> {
    let core = shell.core().await;
    let current = core.payment(&local_id).await?;
    let Some(next_url) = current.payment.as_ref().and_then(|p| p.next_url.clone()) else {
        return Err(Error::NotFound(
            "This payment has no page to open: it is finished, or not sent to the council yet"
                .into(),
        )
        .into());
    };
    let council = core.council().await?.map(|c| c.name);
    let title = format!("Pay {}", council.as_deref().unwrap_or("the council"));
    payment::open(&app, &local_id, &next_url, &title).map_err(ShellError::internal)
}

#[tauri::command(rename_all = "snake_case")]
async fn addresses(shell: State<'_, Shell>, postcode: String) -> Answered<Fresh<AddressList>> {
    Ok(shell.core().await.addresses(&postcode).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn collections(shell: State<'_, Shell>, uprn: String) -> Answered<Fresh<CollectionCalendar>> {
    Ok(shell.core().await.collections(&uprn).await?)
}

/// Remember the address chosen for bin day (its UPRN).
#[tauri::command(rename_all = "snake_case")]
async fn remember_bin_address(shell: State<'_, Shell>, uprn: String) -> Answered<()> {
    Ok(shell.core().await.remember_bin_address(&uprn).await?)
}

/// The address remembered for bin day (its UPRN), if any.
#[tauri::command(rename_all = "snake_case")]
async fn bin_address(shell: State<'_, Shell>) -> Answered<Option<String>> {
    Ok(shell.core().await.bin_address().await?)
}

/// Save the address's collections as a calendar file; answers where it was saved.
#[tauri::command(rename_all = "snake_case")]
async fn save_bin_calendar(shell: State<'_, Shell>, uprn: String) -> Answered<String> {
    let ics = shell.core().await.collections_ics(&uprn).await?;
    let name = doorstep_core::bins::calendar_file_name(&uprn);
    Ok(save(&shell, &name, ics.as_bytes())?)
}

fn save(shell: &Shell, name: &str, bytes: &[u8]) -> doorstep_core::Result<String> {
    let dir = shell.saved_files_dir();
    let path = dir.join(name);
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|e| Error::Storage(format!("could not save {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

#[tauri::command(rename_all = "snake_case")]
async fn outbox(shell: State<'_, Shell>) -> Answered<Vec<OutboxEntry>> {
    Ok(shell.core().await.outbox().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn retry(shell: State<'_, Shell>, key: String) -> Answered<()> {
    Ok(shell.core().await.retry(&key).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn fix(
    shell: State<'_, Shell>,
    key: String,
    slot_id: Option<String>,
    answers: Vec<(String, GivenAnswer)>,
) -> Answered<String> {
    Ok(shell
        .core()
        .await
        .fix_with(&key, slot_id.as_deref(), answers)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn discard(shell: State<'_, Shell>, key: String) -> Answered<()> {
    Ok(shell.core().await.discard(&key).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn sync_now(shell: State<'_, Shell>) -> Answered<SyncReport> {
    Ok(shell.core().await.sync_now().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn save_draft(
    shell: State<'_, Shell>,
    id: Option<String>,
    kind: String,
    body: Value,
) -> Answered<String> {
    Ok(shell
        .core()
        .await
        .save_draft(id.as_deref(), &kind, body)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn drafts(shell: State<'_, Shell>) -> Answered<Vec<Draft>> {
    Ok(shell.core().await.drafts().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn delete_draft(shell: State<'_, Shell>, id: String) -> Answered<()> {
    Ok(shell.core().await.delete_draft(&id).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn sign_in(shell: State<'_, Shell>, email: String) -> Answered<CodeSent> {
    Ok(shell.core().await.sign_in(&email).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn verify(shell: State<'_, Shell>, email: String, code: String) -> Answered<AppStatus> {
    shell.core().await.verify(&email, &code).await?;
    Ok(shell.status().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn sign_out(shell: State<'_, Shell>) -> Answered<()> {
    Ok(shell.core().await.sign_out().await?)
}

/// Save everything the council and this device hold about the resident; answers where.
#[tauri::command(rename_all = "snake_case")]
async fn export_data(shell: State<'_, Shell>) -> Answered<String> {
    let data = shell.core().await.export().await?;
    let bytes = serde_json::to_vec_pretty(&data).map_err(ShellError::internal)?;
    let name = doorstep_core::account::export_file_name(chrono::Local::now().date_naive());
    Ok(save(&shell, &name, &bytes)?)
}

#[tauri::command(rename_all = "snake_case")]
async fn erase(shell: State<'_, Shell>) -> Answered<()> {
    Ok(shell.core().await.erase().await?)
}
