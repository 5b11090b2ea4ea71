//! The end-to-end tests of zwfw-web, in one test binary: each starts the
//! real application on port 0 against a fresh database, once on SQLite and
//! once on PostgreSQL (`zwfw_store::both_backends!`). One module per area;
//! `cargo test -p zwfw-web --test it cases::` runs the tests of one area.
//! What they share is in `support`.

mod support;

mod access;
mod accounts;
mod audit;
mod backfill;
mod backup;
mod calendar;
mod cases;
mod catalog;
mod certificates;
mod corrections;
mod credit;
mod deletions;
mod evaluation;
mod exchange;
mod exchange_packages;
mod faults;
mod governance;
mod handover;
mod handover_backflow;
mod interaction;
mod late_body;
mod license_files;
mod license_import;
mod licenses;
mod licenses_staff;
mod licenses_walk;
mod lookups;
mod material_use;
mod notices;
mod openapi;
mod operators;
mod portal;
mod qualifications;
mod registry;
mod rights;
mod supervision;
