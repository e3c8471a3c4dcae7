//! The sandbox provider's card page: where a payer "pays" with GOV.UK Pay's test cards.
//!
//! Invariant: this page is the only HTML the server serves; it never stores a card number (only
//! the brand and last four digits, as a real provider reports them), and it ends every finished
//! payment by sending the payer back to the service's `return_url`.

use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use doorstep_protocol::rules::pounds;
use serde::Deserialize;

use crate::{
    AppState,
    provider::{self, SandboxPayment},
    routes::payments,
};

#[derive(Debug, Deserialize)]
pub struct CardForm {
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    action: String,
}

/// Show the card page.
pub async fn page(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let now = app.now();
    let lookup = id.clone();
    match app
        .db
        .write(move |tx| provider::page_payment(tx, &lookup, now))
        .await
    {
        Ok(Some(payment)) if payment.status.is_finished() => finished(&app, &id, &payment).await,
        Ok(Some(payment)) => {
            Html(card_page(&app.profile.council.name, &payment, None)).into_response()
        }
        Ok(None) => not_found(),
        Err(error) => error.into_response(),
    }
}

/// Take the card (or the payer's cancellation).
pub async fn submit(
    State(app): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CardForm>,
) -> Response {
    let now = app.now();
    let lookup = id.clone();
    let cancel = form.action == "cancel";
    let card: String = form
        .card_number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let outcome = app
        .db
        .write(move |tx| {
            let Some(payment) = provider::page_payment(tx, &lookup, now)? else {
                return Ok(None);
            };
            if payment.status.is_finished() {
                return Ok(Some((payment, true)));
            }
            let taken = if cancel {
                provider::cancel_by_payer(tx, &lookup)?;
                true
            } else {
                provider::pay_with_card(tx, &lookup, &card, now)?.is_some()
            };
            Ok(Some((payment, taken)))
        })
        .await;
    match outcome {
        Ok(Some((payment, true))) => finished(&app, &id, &payment).await,
        Ok(Some((payment, false))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(card_page(
                &app.profile.council.name,
                &payment,
                Some("Enter a test card number, such as 4242 4242 4242 4242"),
            )),
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(error) => error.into_response(),
    }
}

/// The payment is finished: tell the server's own record (as a provider's webhook would), then
/// send the payer back.
async fn finished(app: &AppState, id: &str, payment: &SandboxPayment) -> Response {
    if let Err(error) = payments::refresh_by_provider_id(app, id).await.map(drop) {
        return error.into_response();
    }
    Redirect::to(&payment.return_url).into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><title>Payment not found</title><p>This payment link is not valid.</p>",
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn card_page(council: &str, payment: &SandboxPayment, error: Option<&str>) -> String {
    let error_summary = error.map_or_else(String::new, |message| {
        format!(
            r##"<div class="error-summary" role="alert" tabindex="-1"><h2>There is a problem</h2><p><a href="#card-number">{}</a></p></div>"##,
            escape(message)
        )
    });
    let invalid = if error.is_some() {
        r#" aria-invalid="true" aria-describedby="card-number-error""#
    } else {
        ""
    };
    let field_error = error.map_or_else(String::new, |m| {
        format!(
            r#"<p id="card-number-error" class="field-error">Error: {}</p>"#,
            escape(m)
        )
    });
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}Enter card details – {council}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; margin: 0; color: #0b0c0c; font-size: 19px; line-height: 1.3; }}
header {{ background: #0b0c0c; color: #fff; padding: 12px 20px; font-weight: bold; }}
.banner {{ background: #fff4d6; border-left: 6px solid #f47738; padding: 10px 20px; }}
main {{ max-width: 640px; margin: 0 auto; padding: 20px; }}
label {{ display: block; font-weight: bold; margin: 16px 0 6px; }}
input[type=text] {{ font-size: 19px; padding: 6px; border: 2px solid #0b0c0c; width: 100%; max-width: 22em; box-sizing: border-box; }}
input:focus, button:focus, a:focus {{ outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: inset 0 0 0 2px; }}
button {{ font-size: 19px; padding: 8px 12px; margin-top: 20px; border: 0; box-shadow: 0 2px 0 #002d18; background: #00703c; color: #fff; cursor: pointer; }}
button.secondary {{ background: #f3f2f1; color: #0b0c0c; box-shadow: 0 2px 0 #929191; margin-left: 12px; }}
.error-summary {{ border: 5px solid #d4351c; padding: 15px; margin-bottom: 20px; }}
.error-summary a {{ color: #d4351c; font-weight: bold; }}
.field-error {{ color: #d4351c; font-weight: bold; margin: 0; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; }}
dt {{ font-weight: bold; }}
</style>
</head>
<body>
<header>{council} – payment</header>
<p class="banner"><strong>Sandbox.</strong> This is a test payment page. No money is taken. Use a test card: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p>
<main>
{error_summary}
<h1>Enter card details</h1>
<dl><dt>Paying for</dt><dd>{description}</dd><dt>Reference</dt><dd>{reference}</dd><dt>Total amount</dt><dd>{amount}</dd>{receipt}</dl>
<form method="post" novalidate>
<label for="card-number">Card number</label>
{field_error}
<input type="text" id="card-number" name="card_number" inputmode="numeric" autocomplete="cc-number"{invalid}>
<label for="expiry">Expiry date (MM/YY)</label>
<input type="text" id="expiry" name="expiry" autocomplete="cc-exp" value="12/30">
<label for="cvc">Card security code</label>
<input type="text" id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" value="123">
<div><button type="submit" name="action" value="pay">Continue</button><button type="submit" name="action" value="cancel" class="secondary">Cancel payment</button></div>
</form>
</main>
</body>
</html>"#,
        title = if error.is_some() { "Error: " } else { "" },
        council = escape(council),
        description = escape(&payment.description),
        reference = escape(&payment.reference),
        amount = pounds(payment.amount_pence),
        receipt = payment
            .email
            .as_deref()
            .map_or_else(String::new, |email| format!(
                "<dt>Receipt to</dt><dd>{}</dd>",
                escape(email)
            )),
    )
}
