// 数字证书登录: asks the certificate vendor's local signing service to sign
// the challenge shown on the page, then posts the signature. The service's
// address is the form's data-signing-service (configured by the operator,
// `[certificates] signing_service`). The contract (docs/areas/certificates.md):
//   POST <address>  Content-Type: application/json
//   {"challenge": "<text to sign>", "fingerprint": "<SM3 of the certificate, hex>", "sign_id": "1234567812345678"}
//   200 {"signature": "<base64 of the DER or r||s SM2 signature>"}
// Without the service the person pastes a signature made by another tool.
(function () {
  var form = document.getElementById('cert-form');
  if (!form || !window.fetch) return;
  var button = document.getElementById('cert-sign');
  var status = document.getElementById('cert-status');
  var manual = document.getElementById('cert-manual');
  var url = form.getAttribute('data-signing-service');
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = '正在连接证书客户端，请按提示输入证书保护密码……';
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        challenge: document.getElementById('challenge').value,
        fingerprint: form.getAttribute('data-fingerprint'),
        sign_id: '1234567812345678'
      })
    }).then(function (r) {
      if (!r.ok) throw new Error('status ' + r.status);
      return r.json();
    }).then(function (body) {
      if (!body || typeof body.signature !== 'string' || !body.signature) throw new Error('no signature');
      document.getElementById('signature').value = body.signature;
      status.textContent = '已签名，正在验证……';
      form.submit();
    }).catch(function () {
      button.disabled = false;
      status.textContent = '无法连接证书客户端：请确认已插入证书介质并已启动证书客户端，或在下方粘贴签名。';
      manual.open = true;
    });
  });
})();
