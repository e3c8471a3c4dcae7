//! Open311 GeoReport v2 on the wire: rows rendered as JSON or XML, the spec's error list, and
//! the form and query parameters read into plain values.
//!
//! Invariant: these are pure functions. A row renders to the same field names in JSON and XML
//! (XML escaped, characters XML cannot carry replaced), and a form or query that cannot be read
//! gives a message saying which parameter to fix, never a panic.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use doorstep_protocol::rules::GivenAnswer;

/// The most rows a list gives.
pub const MAX_ROWS: usize = 1000;
/// The longest span a list may cover, and the default span (the last 90 days).
pub const MAX_DAYS: i64 = 90;

/// The format a path asks for, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// `services.json` → (`services`, JSON); `None` when the extension is neither `json` nor `xml`.
pub fn split(file: &str) -> Option<(&str, Format)> {
    let (stem, extension) = file.rsplit_once('.')?;
    let format = match extension.to_ascii_lowercase().as_str() {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    (!stem.is_empty()).then_some((stem, format))
}

/// One field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
    /// Objects, each an `<item>` inside the field's element in XML.
    Rows(&'static str, Vec<Row>),
    /// Strings, each an `<item>` inside the field's element in XML.
    Texts(&'static str, Vec<String>),
}

/// An object's fields, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row(pub Vec<(&'static str, Value)>);

impl Row {
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.push((name, Value::Text(value.into())));
        self
    }

    /// A field left out when it has no value.
    pub fn maybe(self, name: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }

    pub fn number(mut self, name: &'static str, value: f64) -> Self {
        self.0.push((name, Value::Number(value)));
        self
    }

    pub fn boolean(mut self, name: &'static str, value: bool) -> Self {
        self.0.push((name, Value::Bool(value)));
        self
    }

    pub fn rows(mut self, name: &'static str, item: &'static str, rows: Vec<Row>) -> Self {
        self.0.push((name, Value::Rows(item, rows)));
        self
    }

    pub fn texts(mut self, name: &'static str, item: &'static str, texts: Vec<String>) -> Self {
        self.0.push((name, Value::Texts(item, texts)));
        self
    }
}

/// A list: a JSON array, or `<root><item>..</item>..</root>`.
pub fn render_list(format: Format, root: &str, item: &str, rows: &[Row]) -> String {
    match format {
        Format::Json => serde_json::Value::Array(rows.iter().map(json_row).collect()).to_string(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            out.push_str(&format!("<{root}>"));
            for row in rows {
                xml_element(&mut out, item, row);
            }
            out.push_str(&format!("</{root}>"));
            out
        }
    }
}

/// One object: a JSON object, or `<root>..</root>`.
pub fn render_one(format: Format, root: &str, row: &Row) -> String {
    match format {
        Format::Json => json_row(row).to_string(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml_element(&mut out, root, row);
            out
        }
    }
}

/// The spec's error list: `[{"code": 400, "description": ".."}]` or `<errors><error>..`.
pub fn render_errors(format: Format, code: u16, description: &str) -> String {
    let row = Row::default()
        .number("code", f64::from(code))
        .text("description", description);
    render_list(format, "errors", "error", &[row])
}

fn json_row(row: &Row) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (name, value) in &row.0 {
        let value = match value {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
                serde_json::Value::from(*number as i64)
            }
            Value::Number(number) => serde_json::Number::from_f64(*number)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Bool(flag) => serde_json::Value::Bool(*flag),
            Value::Rows(_, rows) => serde_json::Value::Array(rows.iter().map(json_row).collect()),
            Value::Texts(_, texts) => serde_json::Value::Array(
                texts
                    .iter()
                    .cloned()
                    .map(serde_json::Value::String)
                    .collect(),
            ),
        };
        object.insert((*name).to_owned(), value);
    }
    serde_json::Value::Object(object)
}

fn xml_element(out: &mut String, name: &str, row: &Row) {
    out.push_str(&format!("<{name}>"));
    for (field, value) in &row.0 {
        out.push_str(&format!("<{field}>"));
        match value {
            Value::Text(text) => out.push_str(&escape(text)),
            Value::Number(number) => out.push_str(&number.to_string()),
            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Rows(item, rows) => {
                for row in rows {
                    xml_element(out, item, row);
                }
            }
            Value::Texts(item, texts) => {
                for text in texts {
                    out.push_str(&format!("<{item}>{}</{item}>", escape(text)));
                }
            }
        }
        out.push_str(&format!("</{field}>"));
    }
    out.push_str(&format!("</{name}>"));
}

/// Text as XML character data: markup escaped, characters XML 1.0 cannot carry replaced.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A time as Open311 writes it: W3C, to the second.
pub fn datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `POST requests.{fmt}`, as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewRequest {
    pub api_key: Option<String>,
    pub service_code: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: String,
    pub media_url: Option<String>,
    pub attributes: BTreeMap<String, GivenAnswer>,
}

/// Read a form-encoded request; the message names the parameter to fix.
pub fn parse_new_request(body: &[u8]) -> Result<NewRequest, String> {
    let mut request = NewRequest::default();
    let mut service_code = None;
    for (name, value) in form_urlencoded::parse(body) {
        let value = value.trim().to_owned();
        let given = (!value.is_empty()).then(|| value.clone());
        match name.as_ref() {
            "api_key" => request.api_key = given,
            "service_code" => service_code = given,
            "lat" => request.lat = Some(number("lat", &value)?),
            "long" => request.long = Some(number("long", &value)?),
            "address_string" => request.address_string = given,
            "address_id" => request.address_id = given,
            "email" => request.email = given,
            "first_name" => request.first_name = given,
            "last_name" => request.last_name = given,
            "phone" => request.phone = given,
            "description" => request.description = value,
            "media_url" => request.media_url = given,
            other => {
                if let Some(code) = attribute_code(other, "[]") {
                    match request
                        .attributes
                        .entry(code.to_owned())
                        .or_insert_with(|| GivenAnswer::Picked(Vec::new()))
                    {
                        GivenAnswer::Picked(values) => values.extend(given),
                        GivenAnswer::Typed(_) => {
                            return Err(format!(
                                "attribute[{code}]: give it either once or as a list with [], not both"
                            ));
                        }
                    }
                } else if let Some(code) = attribute_code(other, "") {
                    if request.attributes.contains_key(code) {
                        return Err(format!(
                            "attribute[{code}]: give it once (a list is attribute[{code}][])"
                        ));
                    }
                    request
                        .attributes
                        .insert(code.to_owned(), GivenAnswer::Typed(value));
                }
            }
        }
    }
    request.service_code = service_code.ok_or("service_code: say which service this is for")?;
    if request.lat.is_some() != request.long.is_some() {
        return Err("lat and long: give both, or neither".to_owned());
    }
    if request.lat.is_none() && request.address_string.is_none() && request.address_id.is_none() {
        return Err("Say where the problem is: lat and long, address_string or address_id".into());
    }
    Ok(request)
}

fn attribute_code<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let code = name
        .strip_prefix("attribute[")?
        .strip_suffix(suffix)?
        .strip_suffix(']')?;
    (!code.is_empty() && !code.contains(['[', ']'])).then_some(code)
}

fn number(name: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("{name}: give a number in decimal degrees, like 54.7761"))
}

/// `GET requests.{fmt}`'s filters.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// When given, only these requests, and the other filters do not apply.
    pub ids: Vec<String>,
    pub service_codes: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `open`, `closed`, or both when empty.
    pub statuses: Vec<String>,
}

/// Read the query of a list. Dates default to the 90 days before `now` (or after a given start);
/// a span longer than 90 days is refused.
pub fn parse_filter(query: &str, now: DateTime<Utc>) -> Result<Filter, String> {
    let mut ids = Vec::new();
    let mut service_codes = Vec::new();
    let mut statuses = Vec::new();
    let (mut start, mut end) = (None, None);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let list = || {
            value
                .split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
        };
        match name.as_ref() {
            "service_request_id" => ids.extend(list()),
            "service_code" => service_codes.extend(list()),
            "status" => {
                for status in list() {
                    let status = status.to_ascii_lowercase();
                    if status != "open" && status != "closed" {
                        return Err(format!("status: '{status}' is neither open nor closed"));
                    }
                    statuses.push(status);
                }
            }
            "start_date" => start = Some(date("start_date", &value)?),
            "end_date" => end = Some(date("end_date", &value)?),
            _ => {}
        }
    }
    if ids.len() > MAX_ROWS {
        return Err(format!(
            "service_request_id: ask for at most {MAX_ROWS} at a time"
        ));
    }
    let span = Duration::days(MAX_DAYS);
    let (start, end) = match (start, end) {
        (Some(start), Some(end)) => (start, end),
        (Some(start), None) => (start, start + span),
        (None, Some(end)) => (end - span, end),
        (None, None) => (now - span, now),
    };
    if end < start {
        return Err("end_date: must not be before start_date".to_owned());
    }
    if end - start > span {
        return Err(format!(
            "start_date and end_date: ask for at most {MAX_DAYS} days at a time"
        ));
    }
    Ok(Filter {
        ids,
        service_codes,
        start,
        end,
        statuses,
    })
}

fn date(name: &str, value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| format!("{name}: give a date and time like 2026-04-14T06:37:38Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_its_format() {
        assert_eq!(split("services.json"), Some(("services", Format::Json)));
        assert_eq!(
            split("DUR-2026-000001.XML"),
            Some(("DUR-2026-000001", Format::Xml))
        );
        assert_eq!(split("services.csv"), None);
        assert_eq!(split("services"), None);
        assert_eq!(split(".json"), None);
    }

    #[test]
    fn a_row_has_the_same_fields_in_json_and_xml() {
        let row = Row::default()
            .text("service_code", "pothole")
            .boolean("metadata", true)
            .number("lat", 54.5)
            .texts("formats", "format", vec!["text/xml".into()]);
        let json: serde_json::Value = serde_json::from_str(&render_list(
            Format::Json,
            "services",
            "service",
            std::slice::from_ref(&row),
        ))
        .unwrap();
        assert_eq!(json[0]["service_code"], "pothole");
        assert_eq!(json[0]["metadata"], true);
        assert_eq!(json[0]["lat"], 54.5);
        assert_eq!(json[0]["formats"][0], "text/xml");
        let xml = render_list(Format::Xml, "services", "service", &[row]);
        assert!(xml.contains("<services><service><service_code>pothole</service_code><metadata>true</metadata><lat>54.5</lat><formats><format>text/xml</format></formats></service></services>"), "{xml}");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            escape("a <b> & 'c' \"d\"\u{1}"),
            "a &lt;b&gt; &amp; &apos;c&apos; &quot;d&quot;\u{FFFD}"
        );
    }

    #[test]
    fn errors_are_the_specs_list() {
        let json: serde_json::Value =
            serde_json::from_str(&render_errors(Format::Json, 403, "bad key")).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"code": 403, "description": "bad key"}])
        );
        assert_eq!(
            render_errors(Format::Xml, 404, "gone"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>404</code><description>gone</description></error></errors>"
        );
    }

    #[test]
    fn a_form_gives_answers_and_lists() {
        let request = parse_new_request(
            b"api_key=k&service_code=pothole&lat=54.77&long=-1.57&attribute%5Bdepth%5D=deep&attribute[sides][]=a&attribute[sides][]=b&description=Deep+hole",
        )
        .unwrap();
        assert_eq!(request.api_key.as_deref(), Some("k"));
        assert_eq!(request.lat, Some(54.77));
        assert_eq!(request.description, "Deep hole");
        assert_eq!(
            request.attributes["depth"],
            GivenAnswer::Typed("deep".into())
        );
        assert_eq!(
            request.attributes["sides"],
            GivenAnswer::Picked(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn a_form_that_cannot_be_read_names_the_parameter() {
        assert!(
            parse_new_request(b"lat=1&long=2")
                .unwrap_err()
                .starts_with("service_code")
        );
        assert!(
            parse_new_request(b"service_code=x&lat=north&long=2")
                .unwrap_err()
                .starts_with("lat")
        );
        assert!(
            parse_new_request(b"service_code=x&lat=1")
                .unwrap_err()
                .contains("both")
        );
        assert!(
            parse_new_request(b"service_code=x")
                .unwrap_err()
                .contains("where")
        );
        assert!(
            parse_new_request(b"service_code=x&address_id=1&attribute[a]=1&attribute[a][]=2")
                .is_err()
        );
    }

    #[test]
    fn filters_default_to_the_last_90_days_and_refuse_longer_spans() {
        let now = "2026-06-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let filter = parse_filter("", now).unwrap();
        assert_eq!(filter.end, now);
        assert_eq!(filter.start, now - Duration::days(90));
        let filter = parse_filter(
            "service_request_id=A,B&status=open&service_code=pothole",
            now,
        )
        .unwrap();
        assert_eq!(filter.ids, ["A", "B"]);
        assert_eq!(filter.statuses, ["open"]);
        assert!(
            parse_filter(
                "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                now
            )
            .unwrap_err()
            .contains("90 days")
        );
        assert!(
            parse_filter("status=fixed", now)
                .unwrap_err()
                .starts_with("status")
        );
        assert!(
            parse_filter("start_date=yesterday", now)
                .unwrap_err()
                .starts_with("start_date")
        );
    }
}
