import { useEffect, useMemo, useRef } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef, GridApi, ICellRendererParams } from 'ag-grid-community';
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import type { Stores } from '../stores';
import { caseQueues, type CaseRow, type CaseView as CaseListView } from '../stores/compliance';
import { BusyLine } from '../components/common';
import { gridTheme } from './Customers';
import { CaseView } from './CaseView';
import { Scenarios } from './Scenarios';
import { dateOnly, dueClock, shortDateTime, outcomeLabels, statusLabels, useAltKeys, useNow } from './compliance-format';

/** The four lists of cases, each with its Alt key (the digits are the main menu's). */
const queueLabels: Readonly<Record<(typeof caseQueues)[number], string>> = { monitoring: 'Monitoring alerts', screening: 'Screening hits', fraud: 'Fraud model' };

const views: ReadonlyArray<{ view: CaseListView; label: string; key: string }> = [
  { view: 'mine', label: 'My cases', key: 'm' },
  { view: 'queue', label: 'Queue', key: 'q' },
  { view: 'open', label: 'All open', key: 'o' },
  { view: 'closed', label: 'Closed', key: 'l' },
];

/**
 * The compliance officer's area: the cases (a queue of alerts and hits, an officer's own, all open,
 * closed) and the case open on screen; and the monitoring scenarios with their shadow and replay.
 */
export function Compliance({ stores }: { stores: Stores }) {
  const pane = stores.compliance((state) => state.pane);
  const openCaseId = stores.compliance((state) => state.openCaseId);
  const canScenarios = stores.session((state) => state.can('monitoring.settings'));
  const compliance = stores.compliance.getState();
  const keys = useMemo(() => {
    const toView = (view: CaseListView) => () => {
      compliance.showPane('cases');
      compliance.backToList();
      void compliance.setView(view);
    };
    return {
      ...Object.fromEntries(views.map((entry) => [entry.key, toView(entry.view)])),
      s: canScenarios ? () => compliance.showPane('scenarios') : null,
    };
  }, [compliance, canScenarios]);
  useAltKeys(keys);
  return (
    <div className="compliance">
      <nav className="subnav" aria-label="Compliance">
        <button type="button" aria-current={pane === 'cases' ? 'page' : undefined} onClick={() => compliance.showPane('cases')}>
          Cases
        </button>
        {canScenarios && (
          <button type="button" aria-current={pane === 'scenarios' ? 'page' : undefined} onClick={() => compliance.showPane('scenarios')} aria-keyshortcuts="Alt+S">
            Scenarios <kbd aria-hidden="true">Alt S</kbd>
          </button>
        )}
      </nav>
      {pane === 'scenarios' ? <Scenarios stores={stores} /> : openCaseId !== null ? <CaseView stores={stores} /> : <CaseQueue stores={stores} />}
    </div>
  );
}

function CaseQueue({ stores }: { stores: Stores }) {
  const { view, queue, cases, listState, customerNames } = stores.compliance((state) => state);
  const compliance = stores.compliance.getState();
  const nowMs = useNow();
  const link = stores.sync((state) => state.status.link);
  // Read again when the link changes: online the server's cases, offline this workstation's copy.
  useEffect(() => {
    if (link !== 'connecting') void stores.compliance.getState().loadCases();
  }, [stores, link]);
  const keys = useMemo(() => ({ r: () => void compliance.loadCases() }), [compliance]);
  useAltKeys(keys);
  return (
    <section className="panel" aria-labelledby="cases-title">
      <header className="panel-head">
        <h2 id="cases-title">Compliance cases</h2>
        <div className="actions tight">
          <span className="muted" role="status" aria-live="polite">
            {listState.kind === 'done' ? listState.message : ''}
          </span>
          <button type="button" onClick={() => void compliance.loadCases()} aria-keyshortcuts="Alt+R">
            Refresh <kbd aria-hidden="true">Alt R</kbd>
          </button>
        </div>
      </header>
      <div className="panel-body">
        <Tabs selectedKey={view} onSelectionChange={(key) => void compliance.setView(key as CaseListView)}>
          <TabList aria-label="Which cases" className="tabs">
            {views.map((entry) => (
              <Tab key={entry.view} id={entry.view} aria-keyshortcuts={`Alt+${entry.key.toUpperCase()}`}>
                {entry.label} <kbd aria-hidden="true">Alt {entry.key.toUpperCase()}</kbd>
              </Tab>
            ))}
          </TabList>
          {views.map((entry) => (
            <TabPanel key={entry.view} id={entry.view} className="tab-panel">
              {entry.view === 'queue' && (
                <div className="field inline">
                  <label htmlFor="case-queue">Queue</label>
                  <select id="case-queue" value={queue} onChange={(event) => void compliance.setQueue(event.target.value)}>
                    {caseQueues.map((name) => (
                      <option key={name} value={name}>
                        {queueLabels[name]}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              {listState.kind === 'working' && <BusyLine busy={listState} />}
              {listState.kind === 'failed' && <BusyLine busy={listState} />}
              <CaseGrid rows={cases} nowMs={nowMs} names={customerNames} label={entry.label} onOpen={(row) => void compliance.openCase(row.id)} />
              <p className="muted hint">↑ ↓ to move, Enter to open a case; most urgent filing first.</p>
            </TabPanel>
          ))}
        </Tabs>
      </div>
    </section>
  );
}

/** Who the case is about, in the queue: names from cases opened before, else the party screened, else the customer ids. */
function customersText(row: CaseRow, names: Readonly<Record<string, string>>): string {
  if (row.customerIds.length === 0) return row.partyName ?? '—';
  const listed = (row as { customerNames?: readonly (string | null)[] }).customerNames;
  const known = row.customerIds.map((id, index) => listed?.[index] ?? names[id]).filter((name): name is string => name !== undefined && name !== null);
  const unknown = row.customerIds.length - known.length;
  // case.list names the customers it holds; a customer of another branch (not in this copy) falls back to cases opened here.
  return [...known, ...(unknown === 0 ? [] : [`${unknown} ${known.length === 0 ? '' : 'more '}customer${unknown === 1 ? '' : 's'}`])].join(', ');
}

function DueCell({ data, context }: ICellRendererParams<CaseRow, unknown, { nowMs: number }>) {
  if (data === undefined) return null;
  const clock = dueClock(data.dueAtMs, context.nowMs);
  const open = data.status !== 'closed';
  return (
    <span className={open && clock.overdue ? 'due overdue' : open && clock.soon ? 'due soon' : 'due'}>
      {dateOnly(data.dueAtMs)}
      {open && <span className="due-clock">{clock.text}</span>}
    </span>
  );
}

function CaseGrid({ rows, nowMs, names, label, onOpen }: { rows: readonly CaseRow[]; nowMs: number; names: Readonly<Record<string, string>>; label: string; onOpen(row: CaseRow): void }) {
  const api = useRef<GridApi<CaseRow> | null>(null);
  const columns = useMemo<ColDef<CaseRow>[]>(
    () => [
      { field: 'number', headerName: 'Case', width: 105 },
      // The title says what happened and to whom: wrapped, never cut.
      { field: 'title', headerName: 'Title', flex: 2, minWidth: 220, wrapText: true, autoHeight: true, cellClass: 'wrap-cell' },
      { colId: 'status', headerName: 'Status', width: 125, valueGetter: (params) => (params.data === undefined ? '' : `${statusLabels[params.data.status] ?? params.data.status}${params.data.outcome === null ? '' : ` · ${outcomeLabels[params.data.outcome] ?? params.data.outcome}`}`) },
      { colId: 'assignee', headerName: 'Assignee', width: 160, valueGetter: (params) => (params.data === undefined ? '' : (params.data.assignee ?? `${params.data.queue} queue`)) },
      { colId: 'customers', headerName: 'Customer', flex: 1, minWidth: 120, tooltipValueGetter: (params) => (params.data === undefined ? '' : customersText(params.data, names)), valueGetter: (params) => (params.data === undefined ? '' : customersText(params.data, names)) },
      { colId: 'due', headerName: 'Filing due', width: 220, sort: 'asc', valueGetter: (params) => params.data?.dueAtMs ?? 0, cellRenderer: DueCell },
      { colId: 'updated', headerName: 'Last update', width: 140, valueGetter: (params) => params.data?.updatedAtMs ?? 0, valueFormatter: (params) => (typeof params.value === 'number' && params.value > 0 ? shortDateTime(params.value) : '') },
    ],
    [names],
  );
  useEffect(() => {
    api.current?.refreshCells({ columns: ['due'], force: true });
  }, [nowMs]);
  return (
    <div className="case-grid" role="region" aria-label={`${label}: compliance cases`}>
      <AgGridReact<CaseRow>
        theme={gridTheme}
        rowData={rows as CaseRow[]}
        columnDefs={columns}
        context={{ nowMs }}
        getRowId={(params) => params.data.id}
        rowClassRules={{ 'case-overdue': (params) => params.data !== undefined && params.data.status !== 'closed' && params.data.dueAtMs < nowMs }}
        overlayNoRowsTemplate="<span>No cases in this list.</span>"
        onGridReady={(event) => {
          api.current = event.api;
        }}
        onRowDoubleClicked={(event) => event.data !== undefined && onOpen(event.data)}
        onCellKeyDown={(event) => {
          const key = (event.event as KeyboardEvent | null)?.key;
          if (key === 'Enter' && event.data !== undefined) onOpen(event.data);
        }}
        rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
      />
    </div>
  );
}
