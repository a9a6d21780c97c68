// Parcels draped on the ground, coloured by auction status: the API's vector tiles
// (/tiles/parcels/{z}/{x}/{y}.mvt, made by ST_AsMVT) decoded with @mapbox/vector-tile and
// drawn into canvases that CesiumJS lays over the globe (and the terrain, when there is one)
// as an imagery layer.
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";
import { AUCTION_COLOURS } from "./themes.js";

const Cesium = window.Cesium;
const MIN_ZOOM = 12;  // the API serves empty tiles below
const SIZE = 256;
const NO_AUCTION = { fill: "rgba(255,255,255,0.10)", stroke: "rgba(40,40,40,0.85)" };

function blank() {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  return canvas;
}

export function createParcelsLayer(viewer, onProblem) {
  const drawn = new Map();  // cadastral number → colour drawn (for tests and the legend)
  const handle = { layer: null, drawn };
  function newLayer(show) {
    const provider = new Cesium.UrlTemplateImageryProvider({
      url: "/tiles/parcels/{z}/{x}/{y}.mvt", tilingScheme: new Cesium.WebMercatorTilingScheme(),
      tileWidth: SIZE, tileHeight: SIZE, maximumLevel: 20, hasAlphaChannel: true,
      credit: "citymodel parcels",
    });
    provider.requestImage = (x, y, level) => drawTile(x, y, level);
    return new Cesium.ImageryLayer(provider, { show });
  }
  async function drawTile(x, y, level) {
    if (level < MIN_ZOOM) return blank();
    let response;
    try {
      response = await fetch(`/tiles/parcels/${level}/${x}/${y}.mvt`);
    } catch (error) {
      onProblem();
      return blank();
    }
    if (!response.ok) {
      onProblem();
      return blank();
    }
    const tile = new VectorTile(new PbfReader(await response.arrayBuffer()));
    const layer = tile.layers.parcels;
    if (!layer) return blank();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIZE;
    const context = canvas.getContext("2d");
    const scale = SIZE / layer.extent;
    context.lineWidth = level >= 16 ? 1.5 : 1;
    for (let i = 0; i < layer.length; i++) {
      const feature = layer.feature(i);
      if (feature.type !== 3) continue;  // polygons only
      const status = feature.properties.auction_status;
      const colour = AUCTION_COLOURS[status];
      context.beginPath();
      for (const ring of feature.loadGeometry()) {
        ring.forEach((point, j) => (j ? context.lineTo : context.moveTo).call(context, point.x * scale, point.y * scale));
        context.closePath();
      }
      context.fillStyle = colour ? Cesium.Color.fromCssColorString(colour).withAlpha(0.55).toCssColorString() : NO_AUCTION.fill;
      context.fill("evenodd");
      context.strokeStyle = colour || NO_AUCTION.stroke;
      context.stroke();
      drawn.set(feature.properties.cadastral_number, colour || null);
    }
    return canvas;
  }
  // The data changed: draw the tiles again (a new layer in the old one's place; the tiles
  // are revalidated by their ETags, so only changed ones are made again).
  handle.refresh = () => {
    const old = handle.layer;
    const index = viewer.imageryLayers.indexOf(old);
    handle.layer = newLayer(old.show);
    drawn.clear();
    viewer.imageryLayers.add(handle.layer, index);
    viewer.imageryLayers.remove(old, true);
  };
  handle.layer = newLayer(false);
  viewer.imageryLayers.add(handle.layer);
  return handle;
}
