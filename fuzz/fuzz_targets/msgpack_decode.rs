//! Decodes arbitrary bytes as cty msgpack against a type picked from the input. Decoding must
//! never panic; whatever decodes must re-encode, decode to an equal value, and re-encode to the
//! same bytes. Values without unknowns must also survive the JSON encoding.
#![no_main]

use comwit::tfplugin::cty::{json, msgpack};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((ty, body)) = common::split(data) else {
        return;
    };
    let Ok(v) = msgpack::decode(body, &ty) else {
        return;
    };
    let bytes = msgpack::encode(&v, &ty).expect("a decoded value re-encodes");
    let v2 = msgpack::decode(&bytes, &ty).expect("re-encoded bytes decode");
    assert_eq!(v, v2, "msgpack round trip changed the value");
    assert_eq!(
        msgpack::encode(&v2, &ty).expect("second encode"),
        bytes,
        "msgpack encoding is not stable"
    );
    if !v.contains_unknown() {
        // Infinity has no JSON form; everything else must round-trip.
        if let Ok(j) = json::encode_value(&v, &ty) {
            let text = serde_json::to_vec(&j).expect("serialize JSON");
            let v3 = json::decode_value(&text, &ty).expect("JSON we wrote decodes");
            assert_eq!(v, v3, "JSON round trip changed the value");
        }
    }
});
