//! Payment references, amounts and email addresses.
//!
//! Invariant: a reference is compared and stored in one normal form (trimmed, spaces removed,
//! upper case), so "12 345 678" and "12345678" are the same bill.

use regex::Regex;

use crate::{FieldProblem, PaymentPurpose};

/// The normal form of a reference typed by a resident.
pub fn normalise_reference(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Check a payment's reference and amount against its purpose.
pub fn validate_payment(
    purpose: &PaymentPurpose,
    reference: &str,
    amount_pence: u64,
) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let reference = normalise_reference(reference);
    let matches = whole_pattern(&purpose.reference_pattern).is_ok_and(|re| re.is_match(&reference));
    if !matches {
        problems.push(FieldProblem::new(
            "reference",
            format!(
                "Enter your {} as it appears on your letter: {}",
                purpose.reference_label.to_lowercase(),
                purpose.reference_hint
            ),
        ));
    }
    if amount_pence < purpose.min_pence || amount_pence > purpose.max_pence {
        problems.push(FieldProblem::new(
            "amount_pence",
            format!(
                "Enter an amount from {} to {}",
                pounds(purpose.min_pence),
                pounds(purpose.max_pence)
            ),
        ));
    }
    problems
}

fn whole_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

/// Does a reference pattern compile? (A profile whose pattern does not is refused.) One with a
/// Unicode property class (`\p{..}`, `\P{..}`) counts as not compiling on every build: the
/// phone library leaves those tables out of the regex crate for its size (DESIGN.md §6), and
/// other builds may have them, so the rule is written here rather than left to the features.
pub fn pattern_compiles(pattern: &str) -> bool {
    !uses_property_class(pattern) && whole_pattern(pattern).is_ok()
}

fn uses_property_class(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.next(), Some('p' | 'P')) {
            return true;
        }
    }
    false
}

/// `1234` → `£12.34`.
pub fn pounds(pence: u64) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

/// "12.50", "£12.5" or "12" pounds → pence; `None` for anything else (negative, more than two
/// decimal places, not a number).
pub fn parse_pounds(text: &str) -> Option<u64> {
    let text = text.trim().trim_start_matches('£').replace(',', "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let pence = format!("{fraction:0<2}").parse::<u64>().ok()?;
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(pence)
}

/// Where a payment page may send the payer back to: any `https://` address, `http://` only on
/// this computer (loopback), or an app's own scheme (`doorstep://paid`) — never a scheme that
/// runs or reads something (`javascript:`, `data:`, `file:`, ...).
pub fn valid_return_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default().to_owned()
    };
    if url.len() > 2000
        // A browser reads `\` as `/` in a web address, so it could end the host early.
        || url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || host.is_empty() && matches!(scheme.as_str(), "http" | "https")
    {
        return false;
    }
    match scheme.as_str() {
        "https" => true,
        "http" => matches!(host_name.as_str(), "127.0.0.1" | "localhost" | "[::1]"),
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" => false,
        other => {
            let mut chars = other.chars();
            chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars.all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '-')
                })
        }
    }
}

/// A web page a resident may be sent to in their browser: an address that would do as a
/// return address (`valid_return_url`) and is on the web, `https://` (`http://` on loopback).
pub fn web_page(url: &str) -> bool {
    let web = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        || url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    web && valid_return_url(url)
}

/// A plausible email address: one `@`, something before it, a dotted domain after it.
pub fn valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn council_tax() -> PaymentPurpose {
        PaymentPurpose {
            code: "council_tax".into(),
            name: "Council Tax".into(),
            reference_label: "Council Tax account number".into(),
            reference_hint: "8 digits, at the top of your bill".into(),
            reference_pattern: "[0-9]{8}".into(),
            min_pence: 100,
            max_pence: 500_000,
        }
    }

    #[test]
    fn references_are_normalised_before_matching() {
        assert_eq!(normalise_reference(" du 1234 "), "DU1234");
        assert!(validate_payment(&council_tax(), "1234 5678", 12_345).is_empty());
    }

    #[test]
    fn a_wrong_reference_and_amount_are_both_named() {
        let problems = validate_payment(&council_tax(), "12345", 50);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["reference", "amount_pence"]);
        assert!(problems[1].message.contains("£1.00 to £5000.00"));
    }

    #[test]
    fn the_pattern_must_match_the_whole_reference() {
        assert!(!validate_payment(&council_tax(), "123456789", 12_345).is_empty());
    }

    /// The regex crate is built with only the Unicode tables of the Perl classes and of case
    /// folding (the phone library's size): those work, property classes are refused.
    #[test]
    fn patterns_have_perl_classes_and_case_folding_but_no_property_classes() {
        for pattern in [r"\d{8}", r"\w+", r"GW\s?\d{6}", "(?i)du[0-9]{8}", r"A\\p"] {
            assert!(pattern_compiles(pattern), "{pattern}");
        }
        let purpose = PaymentPurpose {
            reference_pattern: r"(?i)du\d{8}".into(),
            ..council_tax()
        };
        assert!(validate_payment(&purpose, "du 1234 5678", 12_345).is_empty());
        for pattern in [r"\p{Greek}+", r"[\pL0-9]{8}", r"\P{N}"] {
            assert!(!pattern_compiles(pattern), "{pattern}");
        }
    }

    #[test]
    fn payers_return_only_to_safe_addresses() {
        assert!(valid_return_url("https://council.example/paid?x=1"));
        assert!(valid_return_url("http://127.0.0.1:8080/back"));
        assert!(valid_return_url("http://localhost/back"));
        assert!(valid_return_url("http://[::1]:9/back"));
        assert!(valid_return_url("doorstep://paid"));
        assert!(!valid_return_url("http://evil.example/back"));
        assert!(!valid_return_url("http://127.0.0.1.evil.example/back"));
        assert!(!valid_return_url("http://user@evil.example/"));
        assert!(!valid_return_url("http://evil.example\\@localhost/"));
        assert!(!valid_return_url("javascript://%0aalert(1)"));
        assert!(!valid_return_url("JavaScript://x"));
        assert!(!valid_return_url("data://text/html,x"));
        assert!(!valid_return_url("file:///etc/passwd"));
        assert!(!valid_return_url("nowhere"));
        assert!(!valid_return_url("https://"));
    }

    #[test]
    fn pounds_become_pence_exactly() {
        assert_eq!(parse_pounds("12.50"), Some(1250));
        assert_eq!(parse_pounds("£12.5"), Some(1250));
        assert_eq!(parse_pounds("1,234"), Some(123_400));
        assert_eq!(parse_pounds("0.07"), Some(7));
        assert_eq!(parse_pounds("12.345"), None);
        assert_eq!(parse_pounds("-5"), None);
        assert_eq!(parse_pounds("ten"), None);
        assert_eq!(parse_pounds(".5"), None);
    }

    #[test]
    fn email_addresses_are_checked_for_shape() {
        assert!(valid_email("resident@example.org"));
        assert!(!valid_email("resident.example.org"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a b@example.org"));
        assert!(!valid_email("@example.org"));
    }

    #[test]
    fn only_a_web_address_is_a_web_page() {
        assert!(web_page("https://www.durham.gov.uk/bins"));
        assert!(web_page("HTTPS://www.durham.gov.uk/"));
        assert!(web_page("http://127.0.0.1:8080/help"));
        for not in [
            "http://www.durham.gov.uk/",
            "doorstep://paid",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "https://www.durham.gov.uk/a b",
        ] {
            assert!(!web_page(not), "{not}");
        }
    }
}
