//! Static assets served by the program itself (no CDN): the charting library and the dashboard script.

use axum::http::header;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::Response;
use std::sync::OnceLock;

// ---------- the charting library, served by the program ----------

/// ECharts 5.6.0 (Apache-2.0), stored compressed: `assets/echarts/`.
const ECHARTS_GZ: &[u8] = include_bytes!("../../assets/echarts/echarts-5.6.0.min.js.gz");

pub async fn echarts(headers: HeaderMap) -> Response {
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let common = [
        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::VARY, "accept-encoding"),
    ];
    if gzip {
        return (common, [(header::CONTENT_ENCODING, "gzip")], ECHARTS_GZ).into_response();
    }
    static PLAIN: OnceLock<Vec<u8>> = OnceLock::new();
    let plain = PLAIN.get_or_init(|| {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(ECHARTS_GZ).read_to_end(&mut out).expect("the shipped ECharts file is valid gzip");
        out
    });
    (common, plain.as_slice()).into_response()
}

pub async fn dashboard_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/dashboard.js"),
    )
        .into_response()
}

/// The certificate sign-in page's script (asks the local signing service).
pub async fn certificate_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/certificate.js"),
    )
        .into_response()
}
