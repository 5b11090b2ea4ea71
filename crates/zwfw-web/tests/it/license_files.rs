//! The licence file and its QR code, on SQLite and PostgreSQL: the PDF of
//! a granted licence opens (pdfinfo: one A4 page) and shows the title, the
//! holder (身份证号 masked), every template field, the issuer, the dates and
//! the identifier (pdftotext); its QR code, read back from the rendered
//! page (pdftoppm + rqrr), holds the verification address on the
//! configured base with the signed payload; the payload checks through the
//! public API and on the verification page, and one byte changed, a
//! foreign key or another licence's code are refused with their reason;
//! the file and the QR code are the holder's and the issuing department's
//! alone.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use zwfw_domain::catalog::{example, FieldKind, FormField};
use zwfw_store::{both_backends, Store};

const BASE: &str = "https://zwfw.example.gov.cn";

/// Applies with the form and takes the case to a grant valid through `until`.
async fn grant_with_form(app: &App, tokens: &[String; 4], item: i64, form: Value, until: &str) -> i64 {
    let [citizen, counter, reviewer, head] = tokens;
    let (_, up) = upload(app, citizen, PDF, "申请书.pdf").await;
    let path = format!("/api/v1/items/{item}/applications");
    let (s, sub) = body(
        app.post(citizen, &path, json!({"form": form, "materials": [{"material_no": 1, "upload_id": up["id"]}]})).await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let id = sub["case_id"].as_i64().unwrap();
    for (who, a) in [
        (counter, json!({"action": "accept"})),
        (counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (head, json!({"action": "pass", "opinion": "同意"})),
        (
            head,
            json!({"action": "conclude", "outcome": "granted", "document_no": format!("JY{id:013}"), "valid_until": until}),
        ),
    ] {
        act_ok(app, who, id, a).await;
    }
    id
}

fn run(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd} (poppler-utils): {e}"));
    assert!(o.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The QR codes found on the first page of `pdf`, rasterised at 200 dpi in grey.
fn qr_codes_of(pdf: &Path) -> Vec<String> {
    let prefix = pdf.with_extension("");
    run(
        "pdftoppm",
        &["-r", "200", "-gray", "-singlefile", "-f", "1", "-l", "1", pdf.to_str().unwrap(), prefix.to_str().unwrap()],
    );
    let pgm = std::fs::read(prefix.with_extension("pgm")).unwrap();
    // P5 <w> <h> <max> then one byte a pixel.
    let mut fields = vec![];
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8(pgm[start..at].to_vec()).unwrap());
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P5", "255"));
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &pgm[at + 1..];
    assert_eq!(pixels.len(), w * h);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    img.detect_grids().into_iter().map(|g| g.decode().expect("the code reads").1).collect()
}

fn payload_of(qr_text: &str) -> String {
    qr_text.split_once("?qr=").expect("the payload in the address").1.to_string()
}

/// The payload with one byte of what it signs changed (its validity's last year).
fn tampered(payload: &str) -> String {
    let mut bytes = data_encoding::BASE64URL_NOPAD.decode(payload.as_bytes()).unwrap();
    let text = String::from_utf8_lossy(&bytes[..bytes.len() - 65]).to_string();
    let at = text.find("|2030").unwrap() + 4;
    bytes[at] = b'1';
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

async fn qr_check(app: &App, payload: &str) -> Value {
    let (s, v) = anon_post(app, "203.0.113.9", "/api/v1/licenses/qr-check", json!({ "payload": payload })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

both_backends!(license_file_with_its_qr_code, |store: Store| async move {
    let app = App::start_with_verify_base(store, FRIDAY, BASE).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let mut c = example(market);
    c.form_fields = vec![
        FormField { name: "经营场所".into(), kind: FieldKind::Text, required: true, options: vec![] },
        FormField {
            name: "主体业态".into(),
            kind: FieldKind::Choice,
            required: true,
            options: vec!["餐饮服务经营者".into(), "单位食堂".into()],
        },
    ];
    let item = publish(&app, &c, "TESTLICQR00000000000000000000001").await;
    let [admin, citizen, counter, reviewer, head, land, supervisor, elder] = app
        .ready_tokens([
            "demo_admin",
            "demo_citizen",
            "demo_counter",
            "demo_reviewer",
            "demo_head",
            "demo_land",
            "demo_supervisor",
            "demo_elder",
        ])
        .await;
    let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 903));
    let t = json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "person", "validity_years": 5,
        "template": "主体业态\n经营场所\n经营项目", "item_ids": [item]});
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-types", t).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, key) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];
    let form = json!({"经营场所": "建设路1号", "主体业态": "单位食堂"});
    let case = grant_with_form(&app, &tokens, item, form.clone(), "2030-12-31").await;
    let (_, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{case}/license")).await).await;
    let identifier = cl["licenses"][0]["identifier"].as_str().expect("issued").to_string();

    // The holder's 证照夹 names the file and what the QR code holds.
    let (s, mine) = body(app.get(&citizen, "/api/v1/me/licenses").await).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let held = &mine[0];
    let file_url = format!("/api/v1/licenses/{identifier}/file");
    assert_eq!(held["file_url"].as_str(), Some(file_url.as_str()), "{held}");
    let qr_text = held["qr_text"].as_str().unwrap().to_string();
    assert!(qr_text.starts_with(&format!("{BASE}/verify/{identifier}?qr=")), "{qr_text}");

    // The file: the holder's and the issuing department's; nobody else's.
    let r = app.get(&citizen, &file_url).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let l = zwfw_store::licenses::by_identifier(app.state.store.pool(), &identifier).await.unwrap().unwrap();
    assert_eq!(zwfw_domain::audit::sm3_hex(&pdf), l.file_sm3, "the file whose SM3 the signature covers");
    let r = app.get(&counter, &file_url).await;
    assert_eq!(r.status(), StatusCode::OK, "the issuing department's counter");
    for who in [&elder, &land, &supervisor] {
        let (s, b) = body(app.get(who, &file_url).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
    }
    let (s, _) = anon_get(&app, &file_url).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = page(&signed(&citizen), &app, &format!("/licenses/{identifier}/file")).await;
    assert_eq!(s, StatusCode::OK, "the page route for the browser");
    let (s, _) = page(&signed(&elder), &app, &format!("/licenses/{identifier}/file")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // It opens: one A4 page showing the certificate's facts.
    let dir = std::env::temp_dir().join(format!("zwfw_licqr_{}_{}", std::process::id(), l.serial));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("license.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let info = run("pdfinfo", &[file.to_str().unwrap()]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(info.contains("Pages: 1 ") && info.contains("Page size: 595.28 x 841.89 pts (A4)"), "{info}");
    let text = run("pdftotext", &["-layout", file.to_str().unwrap(), "-"]);
    let flat: String = text.split_whitespace().collect();
    for shown in [
        "食品经营许可证",
        &format!("证照编号：JY{case:013}"),
        "持证主体",
        "陈小华",
        "公民身份号码",
        "主体业态",
        "单位食堂",
        "经营场所",
        "建设路1号",
        "经营项目",
        "有效期限",
        "2025年9月26日至2030年12月31日",
        "示例市市场监督管理局",
        "扫码核验",
        &format!("电子证照标识：{identifier}"),
        &format!("核验地址：{BASE}/verify/{identifier}"),
    ] {
        assert!(flat.contains(&shown.replace(' ', "")), "{shown} not in:\n{text}");
    }
    let id_no = l.holder_code.clone();
    assert!(!flat.contains(&id_no), "the 身份证号 is printed masked: {text}");
    assert!(flat.contains(&zwfw_domain::ids::mask_middle(&id_no, 6, 4)), "{text}");
    // The template's order: 主体业态 before 经营场所 before 经营项目.
    let pos = |s: &str| flat.find(s).unwrap();
    assert!(pos("主体业态") < pos("经营场所") && pos("经营场所") < pos("经营项目"), "{text}");

    // Its QR code, read from the rendered page, is the one the 证照夹 names.
    let codes = qr_codes_of(&file);
    assert_eq!(codes, vec![qr_text.clone()], "one QR code on the page");
    let payload = payload_of(&qr_text);
    assert_eq!(payload, l.qr_payload);

    // Checked by the platform: valid, with the licence's status now.
    let v = qr_check(&app, &payload).await;
    assert_eq!(
        (v["valid"].as_bool(), v["identifier"].as_str(), v["version"].as_str(), v["valid_until"].as_str()),
        (Some(true), Some(identifier.as_str()), Some("001"), Some("2030-12-31")),
        "{v}"
    );
    assert_eq!((v["status"].as_str(), v["public_key"].as_str()), (Some("valid"), key["public_key"].as_str()), "{v}");
    assert_eq!(qr_check(&app, &qr_text).await["valid"], true, "the whole address checks the same");
    // One byte of the signed part changed: refused.
    let v = qr_check(&app, &tampered(&payload)).await;
    assert_eq!((v["valid"].as_bool(), v["reason"].as_str()), (Some(false), Some("bad_signature")), "{v}");
    assert_eq!(v["valid_until"], "2031-12-31", "what the forgery claims is shown: {v}");
    // Signed by a key that is not the issuer's: unknown key.
    let stranger = zwfw_app::licenses::SoftwareSigner::generate(zwfw_app::licenses::DEFAULT_SIGNER_ID).unwrap();
    let id = zwfw_domain::licenses::LicenseId::parse(&identifier).unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2025, 9, 26).unwrap();
    let forged = zwfw_app::licenses::qr::sign_payload(&id, from, None, &stranger).unwrap();
    let v = qr_check(&app, &forged).await;
    assert_eq!((v["valid"].as_bool(), v["reason"].as_str()), (Some(false), Some("unknown_key")), "{v}");
    let v = qr_check(&app, "not-a-payload").await;
    assert_eq!((v["reason"].as_str(), v["detail"].as_str()), (Some("malformed"), Some("encoding")), "{v}");
    assert!(v["reason_label"].as_str().unwrap().contains("格式"), "{v}");
    let (s, b) = anon_post(&app, "203.0.113.9", "/api/v1/licenses/qr-check", json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // The verification page reached through the QR link says whether the code's signature holds.
    let verify = |q: String| {
        let app = &app;
        let identifier = identifier.clone();
        async move { page(&client(), app, &format!("/verify/{identifier}?qr={q}")).await }
    };
    let (s, html) = verify(payload.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("二维码签名验证通过") && html.contains("签名验证通过"), "{html}");
    let (_, html) = verify(tampered(&payload)).await;
    assert!(html.contains("二维码签名验证未通过") && html.contains("篡改"), "{html}");
    let (_, html) = verify(forged.clone()).await;
    assert!(html.contains("二维码签名验证未通过") && html.contains("已知密钥"), "{html}");
    let (_, html) = page(&client(), &app, &format!("/verify/{identifier}")).await;
    assert!(!html.contains("二维码签名"), "no payload, no verdict on it");

    // 我的证照 shows each licence's QR code and the file's link.
    let (s, html) = page(&signed(&citizen), &app, "/my/licenses").await;
    assert_eq!(s, StatusCode::OK);
    let qr_at = html.find("<figure class=\"license-qr\"").expect("the QR code's figure");
    assert!(html[qr_at..].split("</figure>").next().unwrap().contains("<svg"), "the QR code inline");
    assert!(!html.contains("<?xml"), "an inline SVG without an XML declaration");
    assert!(html.contains(&format!("{identifier}&#x2f;file")) && html.contains("下载证照（PDF）"), "the file's link");

    // 换发: the new version has its own file and code; the old code still
    // checks (its status superseded), and is not the new licence's.
    let change = format!("/api/v1/licenses/{identifier}/changes");
    let (s, b) = body(app.post(&counter, &change, json!({"action": "reissue", "reason": "遗失补办"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let second = b["identifier"].as_str().unwrap().to_string();
    let r = app.get(&citizen, &format!("/api/v1/licenses/{second}/file")).await;
    assert_eq!(r.status(), StatusCode::OK);
    std::fs::write(dir.join("second.pdf"), r.bytes().await.unwrap()).unwrap();
    let codes = qr_codes_of(&dir.join("second.pdf"));
    assert!(codes.len() == 1 && codes[0].contains(&format!("/verify/{second}?qr=")), "{codes:?}");
    let v = qr_check(&app, &payload).await;
    assert_eq!((v["valid"].as_bool(), v["status"].as_str()), (Some(true), Some("superseded")), "{v}");
    let (_, html) = page(&client(), &app, &format!("/verify/{second}?qr={payload}")).await;
    assert!(html.contains("二维码不属于本证照"), "{html}");

    // A key rotation keeps the old codes checking (the retired key is found by its fingerprint).
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(qr_check(&app, &payload_of(&codes[0])).await["valid"], true);

    // Every platform check of a code is in the holder's 用证 log.
    let uses = zwfw_store::licenses::uses(app.state.store.pool(), l.id, 100).await.unwrap();
    assert_eq!(uses.iter().filter(|u| u.purpose == "qr_check").count(), 3, "the codes that held");
    let (_, log) = body(app.get(&citizen, &format!("/api/v1/me/licenses/{identifier}/uses")).await).await;
    assert!(log["uses"].as_array().unwrap().iter().any(|u| u["purpose_label"] == "二维码签名核验"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
    assert_invariants(&app).await;
});
