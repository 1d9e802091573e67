/* Perks tracking script: <script src="https://PERKS/perks.js" data-key="PUBLIC_KEY" async></script>
   On a landing URL carrying a referral parameter (data-params, default "ref,via,aff"), records the click
   through POST /api/v1/track/click and keeps its id in a first-party cookie `perks_ref` (and in
   localStorage) for the campaign's attribution window. Perks.clickId() returns it, for the sign-up. */
(function () {
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute("data-key");
  var base = script.src.replace(/\/perks\.js(\?.*)?$/, "");
  var names = (script.getAttribute("data-params") || "ref,via,aff").split(",");
  function stored() {
    var match = document.cookie.match(/(?:^|;\s*)perks_ref=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try { return window.localStorage.getItem("perks_ref"); } catch (e) { return null; }
  }
  function keep(clickId, days) {
    var seconds = Math.max(1, days) * 86400;
    document.cookie = "perks_ref=" + encodeURIComponent(clickId) + "; Max-Age=" + seconds + "; Path=/; SameSite=Lax";
    try { window.localStorage.setItem("perks_ref", clickId); } catch (e) { /* private mode */ }
  }
  window.Perks = { clickId: stored };
  var query = new URLSearchParams(window.location.search);
  var code = null;
  for (var i = 0; i < names.length && !code; i++) code = query.get(names[i].trim());
  if (!code || !key) return;
  fetch(base + "/api/v1/track/click", {
    method: "POST",
    headers: { "content-type": "application/json", "x-auth-referralstack": key },
    body: JSON.stringify({
      referralCode: code, url: window.location.href, referrer: document.referrer, userAgent: navigator.userAgent
    })
  }).then(function (response) { return response.ok ? response.json() : null; })
    .then(function (body) { if (body && body.data) keep(body.data.clickId, body.data.cookieDurationDays); })
    .catch(function () { /* tracking never breaks the page */ });
})();
