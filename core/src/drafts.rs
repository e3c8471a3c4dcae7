//! Drafts: what a resident has typed but not yet sent, kept so that nothing typed is lost when a
//! form is left, a submission fails or the app closes.
//!
//! Invariant: a draft is the shell's form as JSON, saved whole under one id; the core does not
//! interpret it, and sending the real thing never depends on a draft.

use serde::Serialize;
use serde_json::Value;

use crate::{
    Doorstep,
    error::{Error, Result},
    outbox::sync::now,
};

/// A saved form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub id: String,
    /// What it is a draft of: `report`, `booking`, `payment`, ...
    pub kind: String,
    pub body: Value,
    pub updated_at: i64,
}

impl Doorstep {
    /// Save a draft; with no id a new one is made. Returns its id.
    pub async fn save_draft(&self, id: Option<&str>, kind: &str, body: Value) -> Result<String> {
        let id = id.map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
        let (draft_id, kind, at) = (id.clone(), kind.to_owned(), now());
        self.engine()
            .store
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO drafts (id, kind, body, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, body = excluded.body, updated_at = excluded.updated_at",
                    rusqlite::params![draft_id, kind, body.to_string(), at],
                )?;
                Ok(())
            })
            .await?;
        Ok(id)
    }

    /// Every draft, most recently changed first.
    pub async fn drafts(&self) -> Result<Vec<Draft>> {
        self.engine()
            .store
            .read(|conn| {
                let mut statement = conn.prepare_cached("SELECT id, kind, body, updated_at FROM drafts ORDER BY updated_at DESC, id DESC")?;
                let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))?;
                let mut drafts = Vec::new();
                for row in rows {
                    let (id, kind, body, updated_at) = row?;
                    drafts.push(Draft { id, kind, body: serde_json::from_str(&body)?, updated_at });
                }
                Ok(drafts)
            })
            .await
    }

    /// Forget a draft (sent, or thrown away).
    pub async fn delete_draft(&self, id: &str) -> Result<()> {
        let id = id.to_owned();
        let deleted = self
            .engine()
            .store
            .write(move |tx| Ok(tx.execute("DELETE FROM drafts WHERE id = ?1", [&id])?))
            .await?;
        if deleted == 0 {
            return Err(Error::NotFound("There is no such draft".to_owned()));
        }
        Ok(())
    }
}
