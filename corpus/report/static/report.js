// corpus report: search, filter and keyboard navigation (article pages); sort and filter
// (index). Plain DOM, no libraries; the pages are complete without it.
(function () {
  'use strict';
  document.body.classList.add('js');
  // served by `corpus serve`: show the links into the workbench (they lead nowhere on disk)
  if (/^https?:$/.test(location.protocol) && location.pathname.indexOf('/report/') === 0) {
    Array.prototype.forEach.call(document.querySelectorAll('.served'), function (e) {
      e.hidden = false;
    });
  }
  var q = document.getElementById('q');
  var count = document.getElementById('count');

  function matches(el, text) {
    return !text || el.textContent.toLowerCase().indexOf(text) >= 0;
  }

  function clearOnEscape(apply) {
    q.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { q.value = ''; apply(); q.blur(); }
    });
  }

  function articlePage() {
    var beads = Array.prototype.slice.call(document.querySelectorAll('main .bead:not(.head)'));
    var only = document.getElementById('only');
    function apply() {
      var text = q.value.trim().toLowerCase(), shown = 0;
      beads.forEach(function (b) {
        var show = (!only.checked || b.classList.contains('flag')) && matches(b, text);
        b.hidden = !show;
        if (show) { shown += 1; }
      });
      count.textContent = shown + ' of ' + beads.length + ' beads shown';
    }
    function jump(step) {
      var flagged = beads.filter(function (b) { return !b.hidden && b.classList.contains('flag'); });
      if (!flagged.length) { return; }
      var i = flagged.indexOf(document.activeElement);
      var next = i < 0 ? flagged[step > 0 ? 0 : flagged.length - 1]
        : flagged[(i + step + flagged.length) % flagged.length];
      next.focus();
      next.scrollIntoView({block: 'center'});
    }
    q.addEventListener('input', apply);
    only.addEventListener('change', apply);
    clearOnEscape(apply);
    document.addEventListener('keydown', function (e) {
      if (e.target === q || e.altKey || e.ctrlKey || e.metaKey) { return; }
      if (e.key === 'j') { jump(1); e.preventDefault(); }
      else if (e.key === 'k') { jump(-1); e.preventDefault(); }
      else if (e.key === '/') { q.focus(); e.preventDefault(); }
    });
    apply();
  }

  function indexPage() {
    var table = document.getElementById('articles');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var problems = document.getElementById('problems');
    function apply() {
      var text = q.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (r) {
        var show = (!problems.checked || r.classList.contains('problem')) &&
          matches(r.cells[0], text);
        r.hidden = !show;
        if (show) { shown += 1; }
      });
      count.textContent = shown + ' of ' + rows.length + ' articles shown';
    }
    function sortBy(button) {
      var col = +button.getAttribute('data-col');
      var num = button.getAttribute('data-type') === 'num';
      var th = button.parentNode;
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
        c.setAttribute('aria-sort', 'none');
      });
      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        var d = num ? (+x) - (+y) : (x < y ? -1 : x > y ? 1 : 0);
        return d * dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    table.tHead.addEventListener('click', function (e) {
      var b = e.target.closest('button');
      if (b) { sortBy(b); }
    });
    q.addEventListener('input', apply);
    problems.addEventListener('change', apply);
    clearOnEscape(apply);
    document.addEventListener('keydown', function (e) {
      if (e.key === '/' && e.target !== q) { q.focus(); e.preventDefault(); }
    });
    apply();
  }

  if (document.body.classList.contains('article')) { articlePage(); }
  else if (document.body.classList.contains('index')) { indexPage(); }
}());
