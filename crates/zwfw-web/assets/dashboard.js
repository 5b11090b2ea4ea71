// The supervision dashboard's charts. The figures and the labels come from
// the page (JSON blocks); every number is also in the page's tables, so the
// page reads the same without this script.
(function () {
  'use strict';
  var dataEl = document.getElementById('dash-data');
  var labelEl = document.getElementById('dash-labels');
  if (!dataEl || !labelEl || typeof echarts === 'undefined') return;
  var d = JSON.parse(dataEl.textContent);
  var t = JSON.parse(labelEl.textContent);
  var colors = { warning: '#1565c0', yellow: '#d49b00', red: '#c62828', anomaly: '#6a1b9a' };
  var kinds = ['warning', 'yellow', 'red', 'anomaly'];
  var charts = [];

  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: 'canvas' });
    c.setOption(option);
    if (onClick) c.on('click', onClick);
    charts.push(c);
  }

  var depts = d.departments.filter(function (x) {
    return x.warning + x.yellow + x.red + x.anomaly + x.open_cases > 0;
  });
  var big = window.matchMedia && window.matchMedia('(min-width: 60em)').matches;
  var font = big ? 16 : 12;
  chart('chart-departments', {
    color: kinds.map(function (k) { return colors[k]; }),
    textStyle: { fontSize: font },
    legend: { top: 0, textStyle: { fontSize: font } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: depts.map(function (x) { return x.name; }),
             axisLabel: { fontSize: font, width: big ? 220 : 120, overflow: 'truncate' } },
    series: kinds.map(function (k) {
      return { name: t[k], type: 'bar', stack: 'all', data: depts.map(function (x) { return x[k]; }) };
    })
  }, function (p) {
    var dept = depts[p.dataIndex];
    if (dept) {
      window.location.href = '/supervision/findings?state=active&department_id=' + dept.id + '&severity=' + kinds[p.seriesIndex];
    }
  });

  chart('chart-trend', {
    color: kinds.map(function (k) { return colors[k]; }),
    textStyle: { fontSize: font },
    legend: { top: 0, textStyle: { fontSize: font } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: d.trend.map(function (x) { return x[0].slice(5); }) },
    yAxis: { type: 'value', minInterval: 1 },
    series: kinds.map(function (k, i) {
      return { name: t[k], type: 'line', smooth: false, data: d.trend.map(function (x) { return x[i + 1]; }) };
    })
  });

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
