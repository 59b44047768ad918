import { App } from 'cdktf';
import { LocalThreeZoneStack } from './stack';

const app = new App();
new LocalThreeZoneStack(app, 'local-three-zone');
app.synth();
