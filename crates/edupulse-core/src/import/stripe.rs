//! Stripe's payments export (Dashboard → Payments → Export, `unified_payments.csv`) →
//! `purchases`.
//!
//! Columns read (Stripe's names; extra columns ignored): `Created date (UTC)` (or the older
//! `Created (UTC)`), `Amount`, `Currency`, `Customer ID` (or, when empty, `Customer Email`);
//! optional `Amount Refunded`, `Status`, `Captured`, `Converted Amount`,
//! `Converted Amount Refunded`, `Converted Currency`. Amounts are in the currency's major unit
//! (`49.00`), as the Dashboard writes them.
//!
//! - Only money received counts: rows whose `Status` is not `Paid`, `Succeeded`, `Refunded` or
//!   `Partially refunded` (failed, blocked, incomplete) and uncaptured charges are skipped.
//! - Refunds: `purchases.amount` must be ≥ 0 (DESIGN §3; the lifetime-value models need it),
//!   so a refund is booked against its charge: the row's amount is `Amount − Amount Refunded`
//!   (a fully refunded charge: 0). Re-importing a later export in which a charge has been
//!   refunded replaces the earlier row (same customer, same instant): the upsert keeps the
//!   books right.
//! - Currency: every row must be in one currency — [`StripeOptions::currency`], or the first
//!   row's. Another currency is a named error, unless the export has Stripe's own conversion
//!   (`Converted Amount`, `Converted Currency`) into the expected currency, which is then used.

use super::{finish, parse_number, parse_time, Col, Frame};
use crate::error::Result;
use crate::model::{Limits, Purchase, Tables};

/// Options of the Stripe importer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StripeOptions {
    /// The currency of the books (ISO code, any case); `None`: the first row's.
    pub currency: Option<String>,
    /// Ceilings and accepted years.
    pub limits: Limits,
}

const PAID: [&str; 5] = [
    "paid",
    "succeeded",
    "refunded",
    "partially refunded",
    "partially_refunded",
];

fn amount(frame: &Frame, r: usize, c: Col) -> Result<f64> {
    let t = frame.text(r, c)?;
    parse_number(t, '.').ok_or_else(|| frame.err(r, c, format!("`{t}` is not an amount")))
}

fn opt_amount(frame: &Frame, r: usize, c: Option<Col>) -> Result<f64> {
    match c.and_then(|c| frame.get(r, c).map(|_| c)) {
        Some(c) => amount(frame, r, c),
        None => Ok(0.0),
    }
}

/// `purchases` from a Stripe payments export.
pub fn import(charges: &Frame, options: &StripeOptions) -> Result<Tables> {
    let created = charges.require(&["Created date (UTC)", "Created (UTC)", "Created"])?;
    let amt = charges.require(&["Amount"])?;
    let cur = charges.require(&["Currency"])?;
    let customer = charges.find(&["Customer ID"]);
    let email = charges.find(&["Customer Email"]);
    if customer.is_none() && email.is_none() {
        charges.require(&["Customer ID"])?;
    }
    let refunded = charges.find(&["Amount Refunded"]);
    let status = charges.find(&["Status"]);
    let captured = charges.find(&["Captured"]);
    let conv_amt = charges.find(&["Converted Amount"]);
    let conv_ref = charges.find(&["Converted Amount Refunded"]);
    let conv_cur = charges.find(&["Converted Currency"]);
    let mut books = options.currency.as_deref().map(str::to_ascii_uppercase);
    let mut tables = Tables::default();
    for r in 0..charges.rows.len() {
        if let Some(s) = status.and_then(|c| charges.get(r, c)) {
            if !PAID.contains(&s.to_ascii_lowercase().as_str()) {
                continue;
            }
        }
        if captured
            .and_then(|c| charges.get(r, c))
            .is_some_and(|c| c.eq_ignore_ascii_case("false"))
        {
            continue;
        }
        let currency = charges.text(r, cur)?.to_ascii_uppercase();
        let want = books.get_or_insert_with(|| currency.clone()).clone();
        let (gross, refund) = if currency == want {
            (amount(charges, r, amt)?, opt_amount(charges, r, refunded)?)
        } else {
            let converted = conv_cur
                .and_then(|c| charges.get(r, c))
                .is_some_and(|c| c.eq_ignore_ascii_case(&want));
            match (converted, conv_amt) {
                (true, Some(ca)) => (amount(charges, r, ca)?, opt_amount(charges, r, conv_ref)?),
                _ => {
                    return Err(charges.err(
                        r,
                        cur,
                        format!(
                            "a charge in {currency}, the books are in {want}: export with \
                             Stripe's `Converted Amount` / `Converted Currency` columns, or \
                             import each currency separately (`--currency`)"
                        ),
                    ))
                }
            }
        };
        let id = customer
            .and_then(|c| charges.get(r, c))
            .or_else(|| email.and_then(|c| charges.get(r, c)))
            .ok_or_else(|| {
                charges.err(
                    r,
                    customer.or(email).unwrap_or(amt),
                    "no customer id or e-mail",
                )
            })?;
        let t = charges.text(r, created)?;
        let at = parse_time(t, "%Y-%m-%d %H:%M:%S", 0)
            .or_else(|| parse_time(t, "%Y-%m-%d %H:%M", 0))
            .ok_or_else(|| charges.err(r, created, format!("`{t}` is not a UTC time")))?;
        if refund > gross {
            return Err(charges.err(
                r,
                refunded.unwrap_or(amt),
                format!("refunded {refund} is more than the charge {gross}"),
            ));
        }
        tables.purchases.push(Purchase {
            customer_id: id.to_string(),
            at,
            amount: gross - refund,
            currency: Some(want),
        });
    }
    finish(tables, &options.limits)
}
