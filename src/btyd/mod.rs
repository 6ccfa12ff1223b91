//! The BG/NBD "buy till you die" model: is a customer still active, and how active will they be?
//!
//! Raw recency cannot tell a customer who always buys twice a year from one who has left. The
//! BG/NBD model (Fader, Hardie & Lee 2005, "'Counting your customers' the easy way: an
//! alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275–284) can, from the
//! timing of each customer's past activity alone:
//!
//! - while alive, a customer is active at a Poisson rate λ; λ ~ Gamma(r, α) across customers;
//! - right after each repeat activity, a customer drops out for good with probability p;
//!   p ~ Beta(a, b) across customers.
//!
//! The steps, with the types that carry them:
//!
//! 1. [`RepeatSummary`]: each customer's (x, t_x, T), frequency of repeats, recency and age,
//!    from activity times up to a calibration end ([`SummaryOptions`] sets the period and unit);
//! 2. [`FitOptions::fit`]: maximum-likelihood (r, α, a, b) with diagnostics, a [`BgNbdFit`];
//! 3. [`BgNbdParams`] predictions per customer: [`probability_alive`] and
//!    [`conditional_expected_repeats`], and for the population [`expected_repeats`];
//! 4. on a [`Population`](crate::Population): [`summarize`] each customer's activity, fit an
//!    [`AliveModel`], find the [`leads_at_risk`]; in scoring, the engagement signals
//!    [`Signal::ProbabilityAlive`](crate::Signal::ProbabilityAlive) and
//!    [`Signal::ExpectedActivity`](crate::Signal::ExpectedActivity);
//! 5. [`simulate`]: customers drawn from the model, to check that the fit recovers what it was
//!    given.
//!
//! Formulas are written out where they are computed: the log-likelihood (eq. 6 of the paper) in
//! [`BgNbdParams::log_likelihood`], the predictions (eqs. 7, 10, 11) in
//! [`BgNbdParams::conditional_expected_repeats`] and neighbours, and the Gaussian hypergeometric
//! function they need in [`hyp2f1`].
//!
//! # Reference values: CDNOW
//!
//! The paper fits the model to a 1/10 sample of CDNOW's customers (2,357 customers who first
//! bought in the first quarter of 1997), with same-day purchases merged, time in weeks and a
//! 39-week calibration period (to 1997-09-30). Its published estimates are
//!
//! | r     | α     | a     | b     | log-likelihood |
//! |-------|-------|-------|-------|----------------|
//! | 0.243 | 4.414 | 0.793 | 2.426 | −9582.4        |
//!
//! and this implementation reproduces all five to the published rounding: the integration test
//! `tests/btyd_cdnow.rs` builds the summaries from the raw transactions (kept in `tests/data/`)
//! and checks them.
//!
//! # Example
//!
//! ```
//! use lead_customers::btyd::{simulate, BgNbdParams, FitOptions, RepeatSummary};
//! let truth = BgNbdParams::new(0.243, 4.414, 0.793, 2.426)?;
//! let customers = simulate(&truth, 10_000, 39.0, 1)?;
//! let fit = FitOptions::default().fit(&customers)?;
//! let someone = RepeatSummary::new(3, 20.0, 39.0)?;
//! let alive = fit.params.probability_alive(&someone);
//! let next_quarter = fit.params.conditional_expected_repeats(&someone, 13.0)?;
//! assert!(alive > 0.0 && alive < 1.0 && next_quarter > 0.0);
//! # Ok::<(), lead_customers::Error>(())
//! ```
//!
//! [`probability_alive`]: BgNbdParams::probability_alive
//! [`conditional_expected_repeats`]: BgNbdParams::conditional_expected_repeats
//! [`expected_repeats`]: BgNbdParams::expected_repeats

mod fit;
mod hyp2f1;
mod likelihood;
mod params;
mod population;
mod predict;
mod simulate;
mod summary;

pub use fit::{BgNbdFit, FitOptions, MAX_FIT_ITERATIONS};
pub use hyp2f1::{MAX_TERMS, hyp2f1};
pub use params::{BgNbdParams, MAX_PARAMETER};
pub use population::{ActivityParams, AliveModel, AtRisk, leads_at_risk, summarize};
pub use simulate::{MAX_SIMULATED, simulate};
pub use summary::{RepeatSummary, SummaryOptions, TimeUnit};
