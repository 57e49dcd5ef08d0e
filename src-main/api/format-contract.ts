// How amounts and alert titles are written, as the UI may import them (the renderer imports only the API's contract
// files): the same functions the engine writes titles, delivery messages and notifications with, so an amount reads
// the same everywhere ("35,871.00 USD", "1,200 JPY", "12.345 BHD").
export { formatAmount } from '../core/money.js'
export { displayTitle, type Titled } from '../core/title.js'
