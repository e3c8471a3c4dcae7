//! A tolerant reader of what Open311 servers send: JSON or XML (by content type, else by the
//! first character), a bare list or one wrapped in an object, values as strings or not.
//!
//! Invariant: every answer becomes a plain `serde_json::Value` tree or a `Unreadable` error that
//! says what was wrong — bad XML, too deep, too large — and nothing here panics or allocates
//! without bound: the body's size is capped before it gets here, and nesting is capped here.

use serde_json::{Map, Value};

/// The deepest nesting read; Open311 documents need four or five levels.
const MAX_DEPTH: usize = 32;

/// Why an answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Read a body as JSON or XML: the content type decides when it names one, else the first
/// character that is not white space.
pub fn document(content_type: Option<&str>, body: &[u8]) -> Result<Value, Unreadable> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Unreadable("the answer is not UTF-8 text".to_owned()))?;
    let text = text.trim_start_matches('\u{FEFF}').trim();
    if text.is_empty() {
        return Err(Unreadable("the answer is empty".to_owned()));
    }
    let declared = content_type.unwrap_or_default().to_ascii_lowercase();
    let xml = if declared.contains("json") {
        false
    } else if declared.contains("xml") {
        true
    } else {
        text.starts_with('<')
    };
    if xml {
        xml_document(text)
    } else {
        serde_json::from_str(text).map_err(|e| Unreadable(format!("the JSON is not valid: {e}")))
    }
}

/// The items of a list, however it came: a bare array, an object wrapping it under one of
/// `names` (or under its only key), one lone item, or nothing (an empty XML element).
pub fn items(value: &Value, names: &[&str]) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Object(map) => {
            for name in names {
                if let Some(inner) = map.get(*name) {
                    return items(inner, names);
                }
            }
            if map.len() == 1
                && let Some(inner) = map.values().next()
                && (inner.is_array() || inner.is_object())
            {
                return items(inner, names);
            }
            vec![value.clone()]
        }
        Value::String(text) if text.trim().is_empty() => Vec::new(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// A field as text: strings as they are, numbers and booleans written out; none when missing,
/// null or empty.
pub fn text(value: &Value, name: &str) -> Option<String> {
    match value.get(name)? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A field as a number, also when sent as a string.
pub fn number(value: &Value, name: &str) -> Option<f64> {
    match value.get(name)? {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A field as a yes or no, also when sent as `"true"`, `"1"` or `1`.
pub fn flag(value: &Value, name: &str) -> Option<bool> {
    match value.get(name)? {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => number.as_f64().map(|n| n != 0.0),
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// An error list (`[{"code": 400, "description": ".."}]` or `<errors>`), as one sentence.
pub fn error_description(value: &Value) -> Option<String> {
    let descriptions: Vec<String> = items(value, &["errors", "error"])
        .iter()
        .filter_map(|e| text(e, "description"))
        .collect();
    (!descriptions.is_empty()).then(|| descriptions.join("; "))
}

/// One element being read: its name, its children so far, its text so far.
struct Open {
    name: String,
    children: Map<String, Value>,
    text: String,
}

impl Open {
    fn new(name: String) -> Self {
        Open {
            name,
            children: Map::new(),
            text: String::new(),
        }
    }

    /// An element with children is an object; one with only text is that text.
    fn close(self) -> Value {
        if self.children.is_empty() {
            Value::String(self.text.trim().to_owned())
        } else {
            Value::Object(self.children)
        }
    }

    /// A repeated child becomes a list.
    fn add(&mut self, name: String, value: Value) {
        match self.children.get_mut(&name) {
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                self.children.insert(name, value);
            }
        }
    }
}

fn xml_document(text: &str) -> Result<Value, Unreadable> {
    use quick_xml::events::Event;
    let bad = |e: &dyn std::fmt::Display| Unreadable(format!("the XML is not valid: {e}"));
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(Unreadable(
                        "the XML has more than one root element".to_owned(),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Unreadable(format!(
                        "the XML is nested more than {MAX_DEPTH} deep"
                    )));
                }
                stack.push(Open::new(local_name(start.local_name().as_ref())));
            }
            Event::Empty(empty) => {
                let name = local_name(empty.local_name().as_ref());
                match stack.last_mut() {
                    Some(parent) => parent.add(name, Value::String(String::new())),
                    None if root.is_none() => root = Some(Value::String(String::new())),
                    None => {
                        return Err(Unreadable(
                            "the XML has more than one root element".to_owned(),
                        ));
                    }
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| {
                    Unreadable("the XML closes an element it never opened".into())
                })?;
                let name = done.name.clone();
                let value = done.close();
                match stack.last_mut() {
                    Some(parent) => parent.add(name, value),
                    None => root = Some(value),
                }
            }
            Event::Text(content) => {
                let decoded = content.xml_content().map_err(|e| bad(&e))?;
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&decoded),
                    None if decoded.trim().is_empty() => {}
                    None => return Err(Unreadable("the XML has text outside its root".into())),
                }
            }
            Event::CData(data) => {
                let decoded = data.decode().map_err(|e| bad(&e))?;
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&decoded);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.decode().map_err(|e| bad(&e))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                Unreadable(format!("the XML uses an unknown entity &{name};"))
                            })?
                            .to_owned()
                    }
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&resolved);
                }
            }
            Event::DocType(_) => {
                return Err(Unreadable(
                    "the XML declares a document type, which is not read".to_owned(),
                ));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(Unreadable("the XML ends before its elements close".into()));
    }
    root.ok_or_else(|| Unreadable("the answer is empty".to_owned()))
}

fn local_name(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_lists_read_like_json_lists() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?>
            <services>
              <service><service_code>001</service_code><metadata>true</metadata><service_name>Cans &amp; bottles &#233;</service_name></service>
              <service><service_code>002</service_code><metadata>false</metadata><description/></service>
            </services>"#;
        let value = document(Some("text/xml"), xml).unwrap();
        let services = items(&value, &["services", "service"]);
        assert_eq!(services.len(), 2);
        assert_eq!(text(&services[0], "service_code").as_deref(), Some("001"));
        assert_eq!(
            text(&services[0], "service_name").as_deref(),
            Some("Cans & bottles é")
        );
        assert_eq!(flag(&services[0], "metadata"), Some(true));
        assert_eq!(flag(&services[1], "metadata"), Some(false));
        assert_eq!(text(&services[1], "description"), None);
    }

    #[test]
    fn one_xml_item_is_a_list_of_one_and_an_empty_list_is_empty() {
        let one = document(None, b"<service_requests><request><service_request_id>7</service_request_id></request></service_requests>").unwrap();
        assert_eq!(items(&one, &["service_requests", "request"]).len(), 1);
        let none = document(None, b"<service_requests></service_requests>").unwrap();
        assert!(items(&none, &["service_requests", "request"]).is_empty());
    }

    #[test]
    fn wrapped_and_bare_json_lists_are_the_same() {
        let bare = document(Some("application/json"), br#"[{"service_code": 1}]"#).unwrap();
        let wrapped = document(None, br#"{"services": [{"service_code": 1}]}"#).unwrap();
        assert_eq!(items(&bare, &["services"]), items(&wrapped, &["services"]));
        assert_eq!(
            text(&items(&bare, &["services"])[0], "service_code").as_deref(),
            Some("1")
        );
    }

    #[test]
    fn strings_stand_in_for_numbers_and_booleans() {
        let row = json!({"lat": "54.5", "required": "true", "variable": 1, "long": -1.5});
        assert_eq!(number(&row, "lat"), Some(54.5));
        assert_eq!(number(&row, "long"), Some(-1.5));
        assert_eq!(flag(&row, "required"), Some(true));
        assert_eq!(flag(&row, "variable"), Some(true));
        assert_eq!(flag(&row, "missing"), None);
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        for (body, expected) in [
            (&b"<services><service></services>"[..], "not valid"),
            (b"<services><service>", "ends before"),
            (b"[{\"service_code\": ", "JSON"),
            (
                b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
                "document type",
            ),
            (b"<a>&bogus;</a>", "unknown entity"),
            (b"\xff\xfe", "UTF-8"),
            (b"", "empty"),
        ] {
            let error = document(None, body).unwrap_err();
            assert!(error.0.contains(expected), "{expected}: {error}");
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(
            document(None, deep.as_bytes())
                .unwrap_err()
                .0
                .contains("nested")
        );
    }

    #[test]
    fn errors_become_one_sentence() {
        let json = document(None, br#"[{"code": 403, "description": "bad key"}]"#).unwrap();
        assert_eq!(error_description(&json).as_deref(), Some("bad key"));
        let xml = document(None, b"<errors><error><code>400</code><description>no service</description></error></errors>").unwrap();
        assert_eq!(error_description(&xml).as_deref(), Some("no service"));
    }
}
