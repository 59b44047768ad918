import { App } from 'cdktf';
import { KubernetesMultiAzStack } from './stack';

const app = new App();
new KubernetesMultiAzStack(app, 'kubernetes-multi-az');
app.synth();
