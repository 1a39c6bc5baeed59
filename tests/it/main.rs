//! putio-up's integration tests, one binary (as fd has it): each module is an area, and
//! `support` builds the worlds they run in (local trees, the fake put.io, the real binary).

mod config;
mod doctor;
mod engine;
mod filters;
mod help;
mod input;
mod json;
mod keychain;
mod login;
mod pipeline;
mod polish;
mod rclone;
mod reach;
mod resilience;
mod support;
mod unknowns;
mod upload;
mod watch;
