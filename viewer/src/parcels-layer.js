// Parcels draped on the ground, coloured by auction status (a layer of the API's vector tiles).
import { AUCTION_COLOURS } from "./themes.js";
import { createVectorLayer, tracePath } from "./vector-layer.js";

const Cesium = window.Cesium;
const NO_AUCTION = { fill: "rgba(255,255,255,0.10)", stroke: "rgba(40,40,40,0.85)" };

export function createParcelsLayer(viewer, onProblem) {
  return createVectorLayer(viewer, "parcels", (context, feature, scale, level) => {
    if (feature.type !== 3) return undefined;  // polygons only
    const colour = AUCTION_COLOURS[feature.properties.auction_status];
    context.lineWidth = level >= 16 ? 1.5 : 1;
    tracePath(context, feature, scale);
    context.fillStyle = colour ? Cesium.Color.fromCssColorString(colour).withAlpha(0.55).toCssColorString() : NO_AUCTION.fill;
    context.fill("evenodd");
    context.strokeStyle = colour || NO_AUCTION.stroke;
    context.stroke();
    return [feature.properties.cadastral_number, colour || null];
  }, onProblem);
}
