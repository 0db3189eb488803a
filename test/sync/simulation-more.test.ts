import { simulateSeeds } from './seeds';

simulateSeeds(501, 1000);
