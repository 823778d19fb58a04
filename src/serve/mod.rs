//! `throughline serve`: build into memory, serve over HTTP on loopback,
//! watch the root, rebuild what changed and reload open pages.

pub mod session;
