//! The inspector's and the AADSTS catalog's result types cross IPC later:
//! they must export to TypeScript as the app's bindings do (no BigInt-style
//! integers, serde phases off).

use entrance_core::aadsts::{AadstsEntry, EntraError, Explanation, FoundCode};
use entrance_core::claims::{ClaimInfo, DirectoryRole};
use entrance_core::findings::Finding;
use entrance_core::inspect::{InspectOptions, Inspection};

#[test]
fn inspector_types_export_to_typescript() {
    let types = specta::Types::default()
        .register::<Inspection>()
        .register::<InspectOptions>()
        .register::<Finding>()
        .register::<AadstsEntry>()
        .register::<FoundCode>()
        .register::<Explanation>()
        .register::<EntraError>()
        .register::<ClaimInfo>()
        .register::<DirectoryRole>();
    let ts = specta_typescript::Typescript::default()
        .export(&types, specta_serde::Format)
        .expect("the types export to TypeScript");
    for name in [
        "Inspection",
        "TokenReport",
        "SignatureCheck",
        "FindingCode",
        "ClaimExplanation",
        "AadstsEntry",
        "EntraError",
        "ProductNote",
        "ReferenceCode",
        "Explanation",
    ] {
        assert!(ts.contains(name), "{name} missing from:\n{ts}");
    }
}
