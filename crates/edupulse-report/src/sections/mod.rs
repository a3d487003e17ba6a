//! One module per section of the page; each appends its `<section>` elements to the page.

pub mod certify;
pub mod churn;
pub mod community;
pub mod content;
pub mod demand;
pub mod experiments;
pub mod feedback;
pub mod forecast;
pub mod kpis;
pub mod leads;
pub mod outbox;
pub mod repetition;
pub mod trends;
