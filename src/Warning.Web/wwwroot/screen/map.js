// The risk map: the view's villages filled by the share of their open cases at high or critical risk, township and
// county borders over them. Drawn once from the service's GeoJSON; a live change restyles only the changed villages'
// shapes, the geometry is never rebuilt. No case, no person: counts per village only.
const colors = { none: "#16243f", calm: "#1e5a44", low: "#7f9f32", mid: "#e0b43a", high: "#f07a2a", severe: "#e0303a", flash: "#ffffff" };
const pieces = [
  [0, colors.calm, "0"], [0.1, colors.low, "≤10%"], [0.25, colors.mid, "≤25%"], [0.5, colors.high, "≤50%"], [1, colors.severe, ">50%"],
];
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export function colorOf(v) {
  if (!v || v.share == null) return colors.none;
  if (v.share === 0) return colors.calm;
  return pieces.find(([max]) => v.share <= max)?.[1] ?? colors.severe;
}

export function legend(element) {
  element.replaceChildren();
  for (const [color, text] of [[colors.none, "无在办"], ...pieces.map(([, c, t]) => [c, t])]) {
    const swatch = document.createElement("i");
    swatch.style.background = color; // CSSOM, not an attribute: the CSP allows no inline style
    element.append(swatch, text);
  }
}

// Whatever the file's coordinates: longitude/latitude is drawn with its east-west scale at the middle latitude,
// anything else (a projected file in metres) as it is; north is up either way.
function projectionFor(bounds) {
  const geographic = bounds.minX >= -180 && bounds.maxX <= 180 && bounds.minY >= -90 && bounds.maxY <= 90;
  const k = geographic ? Math.cos(((bounds.minY + bounds.maxY) / 2) * Math.PI / 180) : 1;
  return { project: ([x, y]) => [x * k, -y], unproject: ([x, y]) => [x / k, -y] };
}

function boundsOf(features) {
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const f of features) for (const ring of f.geometry?.coordinates ?? []) for (const [x, y] of ring) {
    if (x < b.minX) b.minX = x; if (x > b.maxX) b.maxX = x;
    if (y < b.minY) b.minY = y; if (y > b.maxY) b.maxY = y;
  }
  return b;
}

export class RiskMap {
  constructor(element) {
    this.element = element;
    this.chart = echarts.init(element, null, { renderer: "canvas" });
    this.risks = new Map();
    this.spiking = new Set();
    this.flashing = new Map();
    // Every village flashed, in order (for tests: a flash is over in seconds).
    this.flashes = [];
    this.villageIds = [];
    this.timings = {};
    this.ready = false;
    new ResizeObserver(() => this.resize()).observe(element);
  }

  async load(view) {
    const started = performance.now();
    const query = view ? `&regionId=${encodeURIComponent(view)}` : "";
    const response = await fetch(`/api/v1/boundaries?level=village${query}`);
    if (!response.ok) throw new Error(`boundaries: ${response.status}`);
    const geo = await response.json();
    const fetched = performance.now();
    const withShape = geo.features.filter((f) => f.geometry);
    const parents = new Set(geo.features.map((f) => f.properties.parentId).filter(Boolean));
    // Leaves are the villages (the request stops at village level); their parents the townships, theirs the counties.
    const villages = withShape.filter((f) => !parents.has(f.properties.id));
    const townshipIds = new Set(villages.map((f) => f.properties.parentId));
    const townships = withShape.filter((f) => townshipIds.has(f.properties.id));
    const countyIds = new Set(townships.map((f) => f.properties.parentId));
    const counties = withShape.filter((f) => countyIds.has(f.properties.id));
    this.kind = new Map([...villages.map((f) => [f.properties.id, "village"]), ...townships.map((f) => [f.properties.id, "township"]), ...counties.map((f) => [f.properties.id, "county"])]);
    this.villageIds = villages.map((f) => f.properties.id);
    this.names = new Map(withShape.map((f) => [f.properties.id, f.properties.name]));
    // Drawn in this order: borders over fills.
    const mapName = `view-${view ?? "all"}`;
    echarts.registerMap(mapName, { type: "FeatureCollection", features: [...villages, ...townships, ...counties] });
    this.mapName = mapName;
    this.projection = projectionFor(boundsOf(villages));
    this.chart.setOption(this.option(), { notMerge: true });
    this.ready = true;
    this.applyAll();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    this.timings = { villages: villages.length, fetchMs: Math.round(fetched - started), renderMs: Math.round(performance.now() - fetched) };
    this.element.dataset.villages = String(this.shapes());
  }

  option() {
    const u = Math.min(innerWidth / 100, innerHeight * 16 / 9 / 100);
    const border = (kind) => kind === "county"
      ? { areaColor: "rgba(0,0,0,0)", borderColor: "#9fd8ff", borderWidth: Math.max(1.5, u * 0.15) }
      : { areaColor: "rgba(0,0,0,0)", borderColor: "#4f7fc0", borderWidth: Math.max(0.8, u * 0.06) };
    const label = (kind) => ({ show: true, color: kind === "county" ? "#ffffff" : "#c8d8f8", fontSize: Math.round(u * (kind === "county" ? 1.0 : 0.7)),
      fontWeight: kind === "county" ? "bold" : "normal", textBorderColor: "#070d1a", textBorderWidth: 3 });
    const data = [...this.kind.entries()].map(([id, kind]) => kind === "village"
      ? { name: id, itemStyle: { areaColor: colorOf(this.risks.get(id)), borderColor: "#0b1426", borderWidth: 0.4 }, label: { show: false } }
      : { name: id, itemStyle: border(kind), label: { ...label(kind), formatter: () => this.names.get(id) }, silent: true });
    return {
      animation: false,
      series: [{
        id: "areas", type: "map", map: this.mapName, nameProperty: "id", projection: this.projection,
        layoutCenter: ["50%", "50%"], layoutSize: "98%", roam: false, selectedMode: false, silent: true,
        emphasis: { disabled: true }, tooltip: { show: false },
        labelLayout: { hideOverlap: true },
        data,
      }],
    };
  }

  resize() {
    if (!this.ready) return;
    // A resize lays the map out again from its option: put the current colours in it first.
    this.chart.setOption(this.option(), { notMerge: true });
    this.chart.resize();
    this.applyAll();
  }

  graphicOf(id) {
    const data = this.chart.getModel()?.getSeriesByIndex(0)?.getData();
    if (!data) return null;
    const index = data.indexOfName(id);
    return index < 0 ? null : data.getItemGraphicEl(index);
  }

  pathsOf(id) {
    const group = this.graphicOf(id);
    return group ? group.children().filter((c) => c.type === "compound") : [];
  }

  /** Villages drawn as a shape on the map (one per village of the view, when all is well). */
  shapes() {
    return this.villageIds.filter((id) => this.pathsOf(id).length > 0).length;
  }

  /** The fill a village is painted with now. */
  fillOf(id) {
    return this.pathsOf(id)[0]?.style.fill ?? null;
  }

  setAll(villages) {
    this.risks = new Map(villages.map((v) => [v.id, v]));
    this.applyAll();
  }

  applyAll() {
    if (!this.ready) return;
    for (const id of this.villageIds) this.paint(id);
  }

  /** Changed villages only: their shapes are restyled in place; a rise in high-risk cases flashes the village. */
  update(villages) {
    for (const v of villages) {
      const before = this.risks.get(v.id);
      this.risks.set(v.id, v);
      if (!this.ready) continue;
      if (before && v.highRisk > before.highRisk) this.flash(v.id);
      else if (!this.flashing.has(v.id)) this.paint(v.id);
    }
  }

  paint(id, fill = colorOf(this.risks.get(id))) {
    const spiking = this.spiking.has(id);
    for (const path of this.pathsOf(id)) {
      path.stopAnimation();
      path.z2 = spiking ? 10 : 0;
      path.setStyle({ fill, stroke: spiking ? "#ffb13f" : "#0b1426", lineWidth: spiking ? 2 : 0.4 });
      if (spiking && !reducedMotion.matches) path.animate("style", true).when(900, { lineWidth: 5 }).when(1800, { lineWidth: 2 }).start();
    }
  }

  /** A village with a new critical alert flashes; an alert of any other area (a grid's, a feed's) has no shape here. */
  alerted(id) {
    if (this.ready && this.kind?.get(id) === "village") this.flash(id);
  }

  // A few seconds of white and back (steady white without blinking when the wall asks for reduced motion).
  flash(id) {
    this.flashes.push(id);
    clearInterval(this.flashing.get(id));
    let ticks = 0;
    this.paint(id, colors.flash);
    const timer = setInterval(() => {
      ticks++;
      if (ticks >= 8) {
        clearInterval(timer);
        this.flashing.delete(id);
        this.paint(id);
        return;
      }
      if (!reducedMotion.matches) this.paint(id, ticks % 2 ? colorOf(this.risks.get(id)) : colors.flash);
    }, 400);
    this.flashing.set(id, timer);
  }

  setSpikes(villageIds) {
    const before = this.spiking;
    this.spiking = new Set(villageIds.filter((id) => this.kind?.get(id) === "village"));
    if (!this.ready) return;
    for (const id of new Set([...before, ...this.spiking])) if (!this.flashing.has(id)) this.paint(id);
  }

  dispose() {
    for (const timer of this.flashing.values()) clearInterval(timer);
    this.chart.dispose();
  }
}
