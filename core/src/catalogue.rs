//! The council's catalogue and profile, cached for offline use and searched with FTS5.
//!
//! Invariant: the cached catalogue is replaced whole, in one transaction, only when the council
//! says it changed (ETag), so a search never sees half of an old and half of a new catalogue.
//! The home page's top tasks are only ever those the council offers.

use doorstep_protocol::{
    Council, ServiceDefinition, ServiceGroup, ServiceKind, ServiceList, ServiceSummary,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::{
    Capabilities, Doorstep,
    error::{Error, Result},
    store,
};

impl Doorstep {
    /// Fetch the catalogue, every service's definition and the council profile, if they changed.
    /// Returns whether anything changed.
    pub async fn refresh_catalogue(&self) -> Result<bool> {
        let engine = self.engine();
        if let crate::Backend::Open311 { .. } = engine.backend {
            let (list, definitions) = engine.open311_catalogue().await?;
            return self.keep_catalogue(list, definitions, None, None).await;
        }
        let etag = engine
            .store
            .read(|c| store::meta(c, "catalogue_etag"))
            .await?;
        let answer = engine
            .council
            .get("/v1/services", None, etag.as_deref())
            .await;
        if answer.status == 304 {
            return Ok(false);
        }
        let new_etag = answer.etag.clone();
        let list: ServiceList = answer.into()?;
        let council: Council = engine.council.get("/v1/council", None, None).await.into()?;
        let mut definitions = Vec::with_capacity(list.services.len());
        for service in &list.services {
            let definition: ServiceDefinition = engine
                .council
                .get(&format!("/v1/services/{}", service.code), None, None)
                .await
                .into()?;
            definitions.push(definition);
        }
        self.keep_catalogue(list, definitions, Some(council), new_etag)
            .await
    }

    /// Replace the cached catalogue, whole, in one transaction; returns whether it changed.
    async fn keep_catalogue(
        &self,
        list: ServiceList,
        definitions: Vec<ServiceDefinition>,
        council: Option<Council>,
        new_etag: Option<String>,
    ) -> Result<bool> {
        self.engine()
            .store
            .write(move |tx| {
                let held: Vec<String> = tx
                    .prepare("SELECT definition FROM services ORDER BY position")?
                    .query_map([], |r| r.get::<_, Option<String>>(0))?
                    .filter_map(|d| d.transpose())
                    .collect::<Result<_, _>>()?;
                let fresh: Vec<String> = definitions
                    .iter()
                    .map(serde_json::to_string)
                    .collect::<Result<_, _>>()?;
                if council.is_none() && held == fresh {
                    return Ok(false);
                }
                tx.execute("DELETE FROM services", [])?;
                tx.execute("DELETE FROM services_search", [])?;
                let groups: std::collections::HashMap<&str, &str> = list.groups.iter().map(|g| (g.code.as_str(), g.name.as_str())).collect();
                for (position, (summary, definition)) in list.services.iter().zip(&fresh).enumerate() {
                    tx.execute(
                        "INSERT INTO services (code, position, summary, definition) VALUES (?1, ?2, ?3, ?4)",
                        params![summary.code, position as i64, serde_json::to_string(summary)?, definition],
                    )?;
                    tx.execute(
                        "INSERT INTO services_search (code, name, description, keywords, group_name) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![summary.code, summary.name, summary.description, summary.keywords.join(" "), groups.get(summary.group.as_str()).copied().unwrap_or_default()],
                    )?;
                }
                store::set_meta(tx, "groups", &serde_json::to_string(&list.groups)?)?;
                if let Some(council) = council {
                    store::set_meta(tx, "council", &serde_json::to_string(&council)?)?;
                }
                if let Some(etag) = new_etag {
                    store::set_meta(tx, "catalogue_etag", &etag)?;
                }
                Ok(true)
            })
            .await
    }

    /// Services, in the council's order; with `search`, the best matches first (works offline).
    pub async fn services(&self, search: Option<&str>) -> Result<Vec<ServiceSummary>> {
        let query = search.map(fts_query).filter(|q| !q.is_empty());
        self.engine()
            .store
            .read(move |conn| {
                let rows: Vec<String> = match &query {
                    Some(query) => {
                        let mut statement = conn.prepare_cached(
                            "SELECT s.summary FROM services_search f JOIN services s ON s.code = f.code
                             WHERE services_search MATCH ?1 ORDER BY bm25(services_search, 0.0, 10.0, 2.0, 5.0, 1.0), s.position",
                        )?;
                        statement.query_map(params![query], |r| r.get(0))?.collect::<Result<_, _>>()?
                    }
                    None => {
                        let mut statement = conn.prepare_cached("SELECT summary FROM services ORDER BY position")?;
                        statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
                    }
                };
                rows.iter().map(|s| Ok(serde_json::from_str(s)?)).collect()
            })
            .await
    }

    /// The services under the council's names for their groups, as the services pages list
    /// them (offline too); only the services of `kind`, when given.
    pub async fn service_groups(&self, kind: Option<ServiceKind>) -> Result<Vec<Group>> {
        let services = self.services(None).await?;
        let names: Vec<ServiceGroup> = self
            .engine()
            .store
            .read(|c| store::meta(c, "groups"))
            .await?
            .map(|names| serde_json::from_str(&names))
            .transpose()?
            .unwrap_or_default();
        Ok(grouped(&names, services, kind))
    }

    /// A service's definition: from the cache, or from the council if it is not cached.
    pub async fn service(&self, code: &str) -> Result<ServiceDefinition> {
        let wanted = code.to_owned();
        if let Some(definition) = self
            .engine()
            .store
            .read(move |c| cached_definition(c, &wanted))
            .await?
        {
            return Ok(definition);
        }
        if let crate::Backend::Open311 { .. } = self.engine().backend {
            return self.engine().open311_definition(code).await;
        }
        let answer = self
            .engine()
            .council
            .get(&format!("/v1/services/{code}"), None, None)
            .await;
        if answer.status == 404 {
            return Err(Error::invalid(
                "service_code",
                format!("There is no service '{code}': choose one from the list of services"),
            ));
        }
        answer.into()
    }

    /// The council profile, as last fetched.
    pub async fn council(&self) -> Result<Option<Council>> {
        self.engine().store.read(cached_council).await
    }
}

/// The cached definition of a service, if the catalogue is cached and has it.
pub fn cached_definition(conn: &Connection, code: &str) -> Result<Option<ServiceDefinition>> {
    let definition: Option<Option<String>> = conn
        .prepare_cached("SELECT definition FROM services WHERE code = ?1")?
        .query_row(params![code], |r| r.get(0))
        .optional()?;
    definition
        .flatten()
        .map(|d| Ok(serde_json::from_str(&d)?))
        .transpose()
}

/// Is any catalogue cached?
pub fn catalogue_cached(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM services)")?
        .query_row([], |r| r.get(0))?)
}

pub fn cached_council(conn: &Connection) -> Result<Option<Council>> {
    store::meta(conn, "council")?
        .map(|c| Ok(serde_json::from_str(&c)?))
        .transpose()
}

/// A heading of the services pages and the services under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ServiceGroup"))]
pub struct Group {
    pub code: String,
    /// The council's name for it ("Bins and recycling"); its code when the council names none.
    pub name: String,
    /// Its services, in the catalogue's order.
    pub services: Vec<ServiceSummary>,
}

/// Services under their groups: each service once, under its own group, in the catalogue's
/// order; the groups in the order of their first service; only the services of `kind` when
/// given, and no group left empty.
pub fn grouped(
    names: &[ServiceGroup],
    services: Vec<ServiceSummary>,
    kind: Option<ServiceKind>,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for service in services {
        if kind.is_some_and(|kind| service.kind != kind) {
            continue;
        }
        match groups.iter_mut().find(|g| g.code == service.group) {
            Some(group) => group.services.push(service),
            None => groups.push(Group {
                code: service.group.clone(),
                name: names
                    .iter()
                    .find(|n| n.code == service.group)
                    .map_or_else(|| service.group.clone(), |n| n.name.clone()),
                services: vec![service],
            }),
        }
    }
    groups
}

/// What the resident typed → an FTS5 query: each word a prefix, all words required.
pub fn fts_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A journey the home page opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HomeTask {
    /// The services to report a problem with.
    Report,
    /// The services that are booked.
    Book,
    /// Paying a bill.
    Pay,
    /// Bin day.
    Bins,
}

/// A way in from the home page, in the resident's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TopTask {
    pub task: HomeTask,
    /// "Report a problem".
    pub text: String,
    /// What it covers: "Potholes, fly-tipping, street lights, missed bins".
    pub hint: String,
}

/// The home page's ways in to what the council offers, in the page's order.
pub fn top_tasks(offered: &Capabilities) -> Vec<TopTask> {
    [
        (
            HomeTask::Report,
            offered.reports,
            "Report a problem",
            "Potholes, fly-tipping, street lights, missed bins",
        ),
        (
            HomeTask::Book,
            offered.bookings,
            "Book something",
            "Bulky waste collections, library computers, appointments",
        ),
        (
            HomeTask::Pay,
            offered.payments,
            "Pay",
            "Council Tax, parking penalties, garden waste",
        ),
        (
            HomeTask::Bins,
            offered.bins,
            "Check your bin day",
            "Your next collections, also offline",
        ),
    ]
    .into_iter()
    .filter(|(_, offered, _, _)| *offered)
    .map(|(task, _, text, hint)| TopTask {
        task,
        text: text.to_owned(),
        hint: hint.to_owned(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use doorstep_protocol::{ServiceGroup, ServiceKind, ServiceSummary};

    use super::{HomeTask, fts_query, grouped, top_tasks};
    use crate::Capabilities;

    fn service(code: &str, group: &str, kind: ServiceKind) -> ServiceSummary {
        ServiceSummary {
            code: code.to_owned(),
            name: code.to_owned(),
            group: group.to_owned(),
            kind,
            description: String::new(),
            keywords: Vec::new(),
        }
    }

    #[test]
    fn services_are_grouped_under_the_councils_names_in_the_catalogues_order() {
        let names = [
            ServiceGroup {
                code: "roads".to_owned(),
                name: "Roads and pavements".to_owned(),
            },
            ServiceGroup {
                code: "bins".to_owned(),
                name: "Bins and recycling".to_owned(),
            },
        ];
        let services = vec![
            service("missed_bin", "bins", ServiceKind::Report),
            service("pothole", "roads", ServiceKind::Report),
            service("bulky_waste", "bins", ServiceKind::Booking),
            service("hall", "halls", ServiceKind::Booking),
        ];
        let all = grouped(&names, services.clone(), None);
        let seen: Vec<(&str, Vec<&str>)> = all
            .iter()
            .map(|g| {
                let codes = g.services.iter().map(|s| s.code.as_str()).collect();
                (g.name.as_str(), codes)
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("Bins and recycling", vec!["missed_bin", "bulky_waste"]),
                ("Roads and pavements", vec!["pothole"]),
                ("halls", vec!["hall"]),
            ]
        );
        let booked = grouped(&names, services, Some(ServiceKind::Booking));
        let codes: Vec<&str> = booked.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes, ["bins", "halls"], "no group is left empty");
    }

    #[test]
    fn typed_words_become_safe_prefix_queries() {
        assert_eq!(fts_query("Pot hole"), "\"pot\"* \"hole\"*");
        assert_eq!(
            fts_query("bin\" OR 1=1 --"),
            "\"bin\"* \"or\"* \"1\"* \"1\"*"
        );
        assert_eq!(fts_query("  "), "");
    }

    #[test]
    fn the_home_page_offers_only_what_the_council_does() {
        let everything = Capabilities::EVERYTHING;
        let all: Vec<HomeTask> = top_tasks(&everything).iter().map(|t| t.task).collect();
        assert_eq!(
            all,
            [
                HomeTask::Report,
                HomeTask::Book,
                HomeTask::Pay,
                HomeTask::Bins
            ]
        );
        let reports_only = Capabilities {
            bookings: false,
            payments: false,
            bins: false,
            ..everything
        };
        let tasks = top_tasks(&reports_only);
        assert_eq!(
            tasks.len(),
            1,
            "an Open311 council takes reports only: {tasks:?}"
        );
        assert_eq!(tasks[0].text, "Report a problem");
    }
}
