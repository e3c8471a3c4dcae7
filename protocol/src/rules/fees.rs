//! What a booking costs, from the service's fee and the resident's answers.
//!
//! Invariant: the same fee and answers always give the same price, in whole pence; a count the
//! fee cannot price is an error naming the question, never a guess.

use crate::{Answer, Answers, Fee, FieldProblem};

/// The price in pence, `None` when the service is free.
pub fn fee_pence(fee: Option<&Fee>, answers: &Answers) -> Result<Option<u32>, FieldProblem> {
    let Some(fee) = fee else {
        return Ok(None);
    };
    match fee {
        Fee::Fixed { pence } => Ok(Some(*pence)),
        Fee::PerItem {
            question,
            pence_each,
            minimum_pence,
        } => {
            let count = item_count(question, answers)?;
            Ok(Some(count.saturating_mul(*pence_each).max(*minimum_pence)))
        }
        Fee::Bands { question, bands } => {
            let count = item_count(question, answers)?;
            bands
                .iter()
                .filter(|band| count <= band.up_to)
                .min_by_key(|band| band.up_to)
                .map(|band| Some(band.pence))
                .ok_or_else(|| {
                    let most = bands.iter().map(|b| b.up_to).max().unwrap_or(0);
                    FieldProblem::new(
                        format!("answers.{question}"),
                        format!(
                            "At most {most} items can be booked at once: book the rest separately"
                        ),
                    )
                })
        }
    }
}

fn item_count(question: &str, answers: &Answers) -> Result<u32, FieldProblem> {
    let field = format!("answers.{question}");
    let count = match answers.get(question) {
        Some(Answer::Keys(items)) => Some(items.len() as f64),
        Some(Answer::Number(n)) => Some(*n),
        Some(Answer::Text(text)) => text.trim().parse::<f64>().ok(),
        None => None,
    };
    match count {
        Some(n) if n.fract() == 0.0 && (1.0..=1000.0).contains(&n) => Ok(n as u32),
        _ => Err(FieldProblem::new(
            field,
            "Say how many items, as a whole number from 1",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FeeBand;

    fn items(n: usize) -> Answers {
        let list = (0..n).map(|i| format!("item{i}")).collect();
        [("items".to_owned(), Answer::Keys(list))]
            .into_iter()
            .collect()
    }

    #[test]
    fn no_fee_is_free_and_a_fixed_fee_ignores_answers() {
        assert_eq!(fee_pence(None, &items(3)), Ok(None));
        assert_eq!(
            fee_pence(Some(&Fee::Fixed { pence: 500 }), &Answers::new()),
            Ok(Some(500))
        );
    }

    #[test]
    fn per_item_fees_count_list_values_and_respect_the_minimum() {
        let fee = Fee::PerItem {
            question: "items".into(),
            pence_each: 700,
            minimum_pence: 1500,
        };
        assert_eq!(fee_pence(Some(&fee), &items(1)), Ok(Some(1500)));
        assert_eq!(fee_pence(Some(&fee), &items(4)), Ok(Some(2800)));
        assert_eq!(
            fee_pence(Some(&fee), &Answers::new()).unwrap_err().field,
            "answers.items"
        );
    }

    #[test]
    fn bands_pick_the_smallest_that_fits_and_refuse_too_many() {
        let fee = Fee::Bands {
            question: "count".into(),
            bands: vec![
                FeeBand {
                    up_to: 6,
                    pence: 3900,
                },
                FeeBand {
                    up_to: 3,
                    pence: 2600,
                },
            ],
        };
        let count = |n: f64| -> Answers {
            [("count".to_owned(), Answer::Number(n))]
                .into_iter()
                .collect()
        };
        assert_eq!(fee_pence(Some(&fee), &count(2.0)), Ok(Some(2600)));
        assert_eq!(fee_pence(Some(&fee), &count(3.0)), Ok(Some(2600)));
        assert_eq!(fee_pence(Some(&fee), &count(4.0)), Ok(Some(3900)));
        assert!(
            fee_pence(Some(&fee), &count(7.0))
                .unwrap_err()
                .message
                .contains("At most 6")
        );
        assert!(fee_pence(Some(&fee), &count(2.5)).is_err());
    }
}
