//! The fake's own tests, one binary: each module is an area of put.io's behaviour, and
//! `common` holds the client-side helpers they share.

mod api;
mod common;
mod faults;
mod oauth;
mod unknowns;
mod uploads;
