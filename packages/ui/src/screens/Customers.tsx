import { useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { AllCommunityModule, ModuleRegistry, provideGlobalGridOptions, themeQuartz, type ColDef, type GridApi } from 'ag-grid-community';
import type { CustomerRow, Stores } from '../stores';
import { Panel } from '../components/common';
import { CustomerView } from './CustomerView';
import { useNav } from '../nav';

ModuleRegistry.registerModules([AllCommunityModule]);

/** The page's CSP admits run-time <style> elements only with its nonce: the grid's theme is given it. */
export function setGridStyleNonce(nonce: string | undefined): void {
  if (nonce !== undefined && nonce !== '') provideGlobalGridOptions({ styleNonce: nonce });
}

export const gridTheme = themeQuartz.withParams({ fontFamily: 'inherit', fontSize: 14, headerFontWeight: 600, accentColor: '#0b5cad', rowHeight: 34, headerHeight: 36 });

const columns: ColDef<CustomerRow>[] = [
  { field: 'fullName', headerName: 'Name', flex: 2, minWidth: 180, sort: 'asc' },
  { field: 'nationalId', headerName: 'National id', flex: 1, minWidth: 130 },
  { field: 'dateOfBirth', headerName: 'Born', width: 120 },
  { field: 'phone', headerName: 'Phone', flex: 1, minWidth: 150 },
  { field: 'kycStatus', headerName: 'KYC', width: 110 },
  { field: 'riskRating', headerName: 'Risk', width: 100 },
];

/** The branch's customers in a grid: type to filter, arrows to move, Enter to open one. */
export function CustomerGrid({ rows, onOpen, quickFilter }: { rows: CustomerRow[]; onOpen(row: CustomerRow): void; quickFilter: string }) {
  const api = useRef<GridApi<CustomerRow> | null>(null);
  return (
    <div className="customer-grid" role="region" aria-label="Customers">
      <AgGridReact<CustomerRow>
        theme={gridTheme}
        rowData={rows}
        columnDefs={columns}
        getRowId={(params) => params.data.id}
        quickFilterText={quickFilter}
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

export function Customers({ stores }: { stores: Stores }) {
  const { rows, loading, loaded, error } = stores.customers((state) => state);
  const { customerId, go } = useNav();
  const [filter, setFilter] = useState('');
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (rows.length === 0) void stores.customers.getState().load();
    search.current?.focus();
  }, [stores]); // eslint-disable-line react-hooks/exhaustive-deps
  const shown = useMemo(() => rows, [rows]);
  if (customerId !== null) return <CustomerView stores={stores} customerId={customerId} onBack={() => go('customers')} />;
  return (
    <Panel title="Customers" actions={
        <span className="muted" role="status" aria-live="polite">
          {loading ? `Loading customers… ${loaded.toLocaleString('en-US')} so far` : `${rows.length.toLocaleString('en-US')} customers`}
        </span>
      }>
      <div className="field inline">
        <label htmlFor="customer-filter">Find</label>
        <input
          id="customer-filter"
          ref={search}
          type="search"
          placeholder="Name, national id, phone…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') {
              event.preventDefault();
              (document.querySelector('.customer-grid .ag-cell') as HTMLElement | null)?.focus();
            }
          }}
        />
        <span className="muted hint">↓ to the list, Enter to open</span>
      </div>
      {error !== null && <p className="notice error">{error}</p>}
      <CustomerGrid rows={shown} quickFilter={filter} onOpen={(row) => go('customers', row.id)} />
    </Panel>
  );
}
