//! Decodes arbitrary bytes as cty JSON against a type picked from the input. Decoding must never
//! panic; whatever decodes must re-encode (msgpack and JSON) and decode to an equal value.
#![no_main]

use comwit::tfplugin::cty::{json, msgpack};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((ty, body)) = common::split(data) else {
        return;
    };
    let Ok(v) = json::decode_value(body, &ty) else {
        return;
    };
    let bytes = msgpack::encode(&v, &ty).expect("a decoded value encodes as msgpack");
    let v2 = msgpack::decode(&bytes, &ty).expect("msgpack we wrote decodes");
    assert_eq!(v, v2, "msgpack round trip changed the value");
    if let Ok(j) = json::encode_value(&v, &ty) {
        let text = serde_json::to_vec(&j).expect("serialize JSON");
        let v3 = json::decode_value(&text, &ty).expect("JSON we wrote decodes");
        assert_eq!(v, v3, "JSON round trip changed the value");
    }
});
