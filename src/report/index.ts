/** The audit result as something to read: text for a terminal, HTML files for the deliverables. */
export { renderTerminal, type TerminalOptions } from './terminal.js';
export { renderTakeReport, type TakeReportOptions } from './html/take.js';
export { renderDayIndex, type TakeLink } from './html/day.js';
export { writeReports, asAuditReport, isOwnReport, type ReportGuard } from './html/write.js';
