//! putio-up's integration tests, one binary (as fd has it): each module is an area, and
//! `support` builds the worlds they run in (local trees, the fake put.io, the real binary).

mod doctor;
mod keychain;
mod login;
mod rclone;
mod resilience;
mod scripting;
mod support;
mod unknowns;
mod upload;
