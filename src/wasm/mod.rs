//! The thin `#[wasm_bindgen]` facade: camelCase JS functions, objects via serde-wasm-bindgen,
//! bytes as `Uint8Array`, errors as JS `Error` with a stable `.code`. No logic lives here.
