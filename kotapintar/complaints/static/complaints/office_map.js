// The map of a report on the officials' page. Its settings come from
// <script id="kp-office-map" type="application/json">: the report's point, the radius searched for
// similar reports and those found, an optional tile URL (none when the installation is offline: the
// city's outline and its kecamatan names are then the background).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var el = document.querySelector("[data-kp-pin]");
  var source = document.getElementById("kp-office-map");
  if (!el || !source || !window.L) { return; }
  var cfg = JSON.parse(source.textContent);
  var map = L.map(el, { scrollWheelZoom: false }).setView([cfg.lat, cfg.lng], cfg.tiles ? 17 : 16);
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
  } else {
    if (cfg.boundary) {
      L.geoJSON(cfg.boundary, { interactive: false, style: { color: "#0b5394", weight: 2, fillOpacity: 0.03 } }).addTo(map);
    }
    (cfg.districts || []).forEach(function (d) {
      L.circleMarker([d.lat, d.lng], { radius: 2, color: "#5f6b76", weight: 1, interactive: false })
        .bindTooltip(d.name, { permanent: true, direction: "right", opacity: 0.75 }).addTo(map);
    });
  }
  L.circle([cfg.lat, cfg.lng], { radius: cfg.radius, weight: 1, dashArray: "4", fillOpacity: 0.04, interactive: false }).addTo(map);
  (cfg.nearby || []).forEach(function (n) {
    L.circleMarker([n.lat, n.lng], { radius: 7, weight: 2, color: "#fff", fillColor: "#6c757d", fillOpacity: 1 })
      .bindTooltip(n.label).addTo(map);
  });
  L.circleMarker([cfg.lat, cfg.lng], { radius: 9, weight: 3, color: "#fff", fillColor: "#b3261e", fillOpacity: 1 })
    .bindTooltip(cfg.label, { permanent: true, direction: "top", offset: [0, -8] }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
});
