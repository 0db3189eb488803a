import { simulateSeeds } from './seeds';

simulateSeeds(1, 500);
