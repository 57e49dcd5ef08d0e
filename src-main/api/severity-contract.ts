// The severity colours, as the UI may import them (the renderer imports only the API's contract files): the same
// definition the PDF report draws with, so a severity looks the same on screen, in the charts and on paper.
export { SEVERITY_COLOURS, type SeverityColour } from '../core/report/severity-colours.js'
