import { AllCommunityModule, ModuleRegistry, createGrid, themeQuartz, type GridApi } from 'ag-grid-community';

/**
 * The baseline of ui.grid.*: AG Grid alone on a page, with the columns, sort and theme the
 * customer screen uses, and nothing else (no React, no stores, no app around it).
 */
ModuleRegistry.registerModules([AllCommunityModule]);

interface Row {
  id: string;
  fullName: string;
  nationalId: string;
  dateOfBirth: string;
  phone: string;
  kycStatus: string;
  riskRating: string;
}

const api: GridApi<Row> = createGrid<Row>(document.getElementById('grid')!, {
  theme: themeQuartz.withParams({ fontFamily: 'inherit', fontSize: 14, headerFontWeight: 600, accentColor: '#0b5cad', rowHeight: 34, headerHeight: 36 }),
  rowData: [],
  getRowId: (params) => params.data.id,
  columnDefs: [
    { field: 'fullName', headerName: 'Name', flex: 2, minWidth: 180, sort: 'asc' },
    { field: 'nationalId', headerName: 'National id', flex: 1, minWidth: 130 },
    { field: 'dateOfBirth', headerName: 'Born', width: 120 },
    { field: 'phone', headerName: 'Phone', flex: 1, minWidth: 150 },
    { field: 'kycStatus', headerName: 'KYC', width: 110 },
    { field: 'riskRating', headerName: 'Risk', width: 100 },
  ],
});

(window as unknown as { bare: unknown }).bare = {
  setRows: (rows: Row[]) => api.setGridOption('rowData', rows),
  filter: (text: string) => api.setGridOption('quickFilterText', text),
};
