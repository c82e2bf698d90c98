//! The sandbox tenant over real HTTP on 127.0.0.1: each test starts its own
//! sandbox, acts as a client (a target product, Entrance, a browser) and
//! asserts what that client would see — status, `error`, `error_codes`,
//! and the body's shape.

mod support;

mod authorize;
mod chromium;
mod claims;
mod device;
mod discovery;
mod faults;
mod graph;
mod scenario;
mod tls;
mod token;
