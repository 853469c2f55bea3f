//! The HTTP API's request bodies, deserialised with the server's own types;
//! a check request is then analysed and gated as the server would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded, gate};
use lore_server::api;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    lore_fuzz::example_pack();
    bounded("http_body", || {
        if let Ok(request) = serde_json::from_slice::<api::CheckRequest>(data) {
            let kind = request.kind.as_deref().unwrap_or("shell");
            if let Ok(input) = lore_service::evaluate::Input::of_kind(kind, request.input) {
                gate(&input.analyze());
            }
        }
        let _ = serde_json::from_slice::<api::ProposeRequest>(data);
        let _ = serde_json::from_slice::<api::ApproveDecisionRequest>(data);
        let _ = serde_json::from_slice::<api::ApproveProposalRequest>(data);
        let _ = serde_json::from_slice::<api::RejectProposalRequest>(data);
        let _ = serde_json::from_slice::<api::ReviewsRequest>(data);
    });
});
