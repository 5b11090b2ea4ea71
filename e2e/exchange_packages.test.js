// Browser check of the offline packages (离线包): the county's administrator
// makes the package key and downloads a package; the city's administrator
// registers the county's public key and uploads the package (imported),
// the same file again (nothing changed) and a changed one (refused), at
// 1,366 px and on a 390 px phone. The supervision bureau may not open the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, shots, signInWithTotp } from './harness.js';

let county, city;

before(async () => {
  county = await start({ env: { ZWFW_EXCHANGE_GUID_PREFIX: '520221' } });
  city = await start();
});

after(async () => {
  if (county) await county.stop();
  if (city) await city.stop();
});

async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

async function upload(page, name, buffer) {
  await page.getByLabel('选择离线包文件（.zwfwpkg）').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  await page.getByRole('button', { name: '核验并导入' }).click();
  await page.waitForLoadState();
}

test('a county package is exported, registered and imported once, at 1366 and 390 px', async () => {
  // The county: its key, then a package of the demo cases' rows.
  const cp = await signInWithTotp(county.browser, county.base, 'demo_admin', { width: 1366, height: 900 });
  await cp.goto(county.base + '/admin/exchange/packages');
  await cp.getByRole('heading', { name: '数据交换离线包', level: 1 }).waitFor();
  await cp.getByRole('button', { name: '生成离线包签名密钥' }).click();
  await cp.waitForLoadState();
  assert.match(await cp.getByRole('status').first().innerText(), /已生成本单位的离线包签名密钥/);
  const publicKey = (await cp.locator('#own-key').innerText()).trim();
  assert.match(publicKey, /^04[0-9a-f]{128}$/);
  const [download] = await Promise.all([
    cp.waitForEvent('download'),
    cp.getByRole('button', { name: '导出离线包' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), '520221-1.zwfwpkg');
  const file = readFileSync(await download.path());
  assert.match(file.toString('utf8').split('\n')[0], /"format":"zwfw-exchange-package\/1"/);
  await cp.goto(county.base + '/admin/exchange/packages');
  assert.match(await cp.getByRole('table', { name: '本单位已导出的离线包' }).innerText(), /第 1 号/);

  // The city: the county registered, the package imported.
  const page = await signInWithTotp(city.browser, city.base, 'demo_admin', { width: 1366, height: 900 });
  await page.goto(city.base + '/admin/exchange/packages');
  await upload(page, '520221-1.zwfwpkg', file);
  assert.match(await page.getByRole('alert').innerText(), /报送单位“520221”尚未登记/);
  await page.getByText('登记报送单位 / 更换其公钥').click();
  await page.getByLabel(/单位代码/).fill('520221');
  await page.getByLabel('单位名称').fill('六枝特区政务服务中心');
  await page.getByLabel(/离线包签名公钥/).fill(publicKey);
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole('status').first().innerText(), /已登记报送单位/);
  await upload(page, '520221-1.zwfwpkg', file);
  const done = await page.getByRole('status').first().innerText();
  assert.match(done, /已导入 六枝特区政务服务中心（520221）第 1 号离线包/);
  assert.match(done, /新增 \d+ 行/);
  assert.ok(await fitsWidth(page), 'fits 1366 px');
  await page.screenshot({ path: join(shots, 'exchange-packages-1366.png'), fullPage: true });

  await upload(page, '520221-1.zwfwpkg', file);
  assert.match(await page.getByRole('alert').innerText(), /已于 .* 导入，本次未作任何更改/);

  // On a phone: a package changed after signing is refused.
  await page.setViewportSize({ width: 390, height: 844 });
  const changed = Buffer.from(file);
  const i = changed.indexOf('"project_no":"') + 20;
  changed[i] = changed[i] === 0x31 ? 0x32 : 0x31;
  await upload(page, 'changed.zwfwpkg', changed);
  assert.match(await page.getByRole('alert').innerText(), /签名校验未通过/);
  assert.match(await page.getByRole('table', { name: '可导入其离线包的单位' }).innerText(), /520221/);
  assert.ok(await fitsWidth(page), 'fits a 390 px phone');
  await page.screenshot({ path: join(shots, 'exchange-packages-390.png'), fullPage: true });

  // The supervision bureau watches the exchange but may not import.
  const sup = await signInWithTotp(city.browser, city.base, 'demo_supervisor', { width: 1366, height: 900 });
  const r = await sup.goto(city.base + '/admin/exchange/packages');
  assert.equal(r.status(), 403);
});
