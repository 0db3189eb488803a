export { ScryptPasswordHasher } from './password';
