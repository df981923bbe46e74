"""Old Keras programs on lamina: `python -m lamina.legacy script.py [args]` (or `lamina legacy
script.py`) runs a Keras 0.x/1.x/2.x script unmodified, and `lamina upgrade script.py [--write]`
rewrites it in today's API.

While a legacy script runs, `import keras` and the old module paths (keras.layers.core,
keras.layers.convolutional, keras.layers.recurrent, keras.layers.embeddings,
keras.layers.normalization, keras.layers.pooling, keras.layers.advanced_activations,
keras.layers.wrappers, keras.layers.noise, keras.engine.topology, keras.objectives,
keras.initializations, keras.utils.np_utils, keras.utils.visualize_util,
keras.preprocessing.sequence/text, keras.wrappers.scikit_learn, keras.backend) are served by
lamina's compatibility modules; nothing named `keras` is installed, and `import lamina` is not
affected. `LAMINA_SEED=n` seeds everything before the script runs.

Each old spelling prints one line per process (on stderr) giving today's spelling; a name with
no meaning today is accepted and ignored with a line saying so; an unknown name (`nb_epochs`)
raises a TypeError suggesting the closest known spelling.

Old name -> today's:

| old | today |
| --- | --- |
| fit(nb_epoch=) | fit(epochs=) |
| fit/evaluate(show_accuracy=True) | compile(metrics=["accuracy"]) (added for you) |
| compile(class_mode=), compile(theano_mode=) | ignored |
| metrics=["accuracy"] history keys | "acc", "val_acc" (also answer to "accuracy") |
| loss "cosine_proximity" / "cosine" | Keras 1's mean form (today: "cosine_similarity", a sum) |
| SGD/RMSprop/Adagrad/Adadelta/Adam/Adamax/Nadam(lr=) | learning_rate= |
| optimizer(decay=d) | learning_rate=InverseTimeDecay(lr, decay_steps=1, decay_rate=d) |
| optimizer.lr | optimizer.learning_rate |
| optimizer defaults | Keras 1's: epsilon 1e-8; Adagrad lr 0.01, accumulator from 0; Adadelta lr 1.0; Adamax and Nadam lr 0.002 (also for "rmsprop", "adam", ... by name) |
| Nadam(schedule_decay=0.004) | Nadam (0.004 is built in) |
| init= | kernel_initializer= (Embedding: embeddings_initializer=, PReLU: alpha_initializer=) |
| init "zero", "one" | "zeros", "ones" |
| inner_init= | recurrent_initializer= |
| forget_bias_init="one" | unit_forget_bias=True |
| inner_activation= | recurrent_activation= |
| LSTM/GRU default recurrent activation | hard_sigmoid of Keras 1/2: clip(0.2 x + 0.5, 0, 1) |
| GRU | reset_after=False (Keras 1/2's GRU) |
| activation "hard_sigmoid" | Keras 1/2's clip(0.2 x + 0.5, 0, 1) (today's has slope 1/6) |
| W_regularizer=, U_regularizer=, b_regularizer= | kernel_/recurrent_/bias_regularizer= (Embedding: embeddings_regularizer=) |
| W_constraint=, U_constraint=, b_constraint= | kernel_/recurrent_/bias_constraint= |
| bias= | use_bias= |
| output_dim= (Dense, recurrent) | units= |
| input_dim= + input_length= (recurrent, Conv1D) | input_shape=(input_length, input_dim) |
| Embedding(input_length=) | input_shape=(input_length,) |
| Embedding(dropout=0) | accepted (non-zero: error, use SpatialDropout1D) |
| weights= | set_weights(weights) once the layer is built |
| nb_filter= | filters= |
| nb_row=, nb_col= / kernel_dim1..3= | kernel_size=(...) |
| filter_length= | kernel_size= |
| Convolution1D/2D/3D(nb_filter, nb_row, nb_col) | Conv1D/2D/3D(filters, kernel_size) |
| AtrousConvolution1D/2D(atrous_rate=) | Conv1D/2D(dilation_rate=) |
| Deconvolution2D(output_shape=) | Conv2DTranspose (output shape computed; argument ignored) |
| SeparableConvolution2D | SeparableConv2D |
| border_mode= | padding= ("full" has no equivalent: error) |
| subsample=, subsample_length= | strides= |
| dim_ordering="th"/"tf"/"default" | data_format="channels_first"/"channels_last"/None |
| pool_length=, stride= (1D pooling) | pool_size=, strides= |
| UpSampling1D(length=) | UpSampling1D(size=) |
| Reshape(dims=) | Reshape(target_shape=) |
| Dropout/SpatialDropout/GaussianDropout(p=) | rate= |
| GaussianNoise(sigma=) | stddev= |
| dropout_W=, dropout_U= | dropout=, recurrent_dropout= |
| LeakyReLU(alpha=) | LeakyReLU(negative_slope=) |
| ThresholdedReLU(theta=) | ReLU(threshold=) |
| BatchNormalization(mode=0, beta_init=, gamma_init=) | mode ignored (other modes: error); beta_/gamma_initializer= |
| consume_less=, implementation= | ignored |
| TimeDistributedDense(...) | TimeDistributed(Dense(...)) |
| Merge([model_a, model_b], mode=) as first layer of Sequential | a model with one input per branch, merged by Add/Multiply/Concatenate/Average/Maximum/Dot |
| merge([a, b], mode="sum"/"mul"/"concat"/"ave"/"max"/"dot"/"cos"/callable) | add/multiply/concatenate/average/maximum/dot/dot(normalize=True)/Lambda |
| MaxoutDense, Highway | small layers in lamina.legacy.layers (no Keras 3 equivalent) |
| Model(input=, output=) | Model(inputs=, outputs=) |
| Graph (Keras 0.x) | a Functional model over named Inputs and Identity outputs (dict data) |
| predict_classes(x) | argmax(predict(x)) or predict(x) > 0.5 for one unit |
| predict_proba(x) | predict(x) |
| predict(verbose=) default | 0 (quiet), as in Keras 1/2 |
| fit_generator(gen, samples_per_epoch=, nb_epoch=, nb_val_samples=) | batches drawn per epoch until samples_per_epoch samples, each trained with train_on_batch |
| fit_generator(gen, steps_per_epoch=, epochs=, validation_steps=) | the same, counted in steps (Keras 2) |
| evaluate_generator(gen, val_samples) / predict_generator(gen, val_samples) | drawn until val_samples samples (or steps=) |
| nb_worker=, pickle_safe=, max_q_size=, workers=, use_multiprocessing=, max_queue_size= | ignored (main process) |
| np_utils.to_categorical(y, nb_classes) | utils.to_categorical(y, num_classes) |
| np_utils.probas_to_classes, categorical_probas_to_classes | argmax / > 0.5 |
| visualize_util.plot(model, to_file=) | prints the summary (no graphviz) |
| preprocessing.sequence.pad_sequences, preprocessing.text (Tokenizer(nb_words=), one_hot, text_to_word_sequence) | lamina.legacy.preprocessing |
| regularizers l1l2, activity_l1/l2/l1l2, WeightRegularizer | L1L2 / L1 / L2 |
| constraints maxnorm, nonneg, unitnorm | MaxNorm, NonNeg, UnitNorm |
| initializations.normal(shape, scale=) etc. | initializers (functions of shape) |
| wrappers.scikit_learn KerasClassifier/KerasRegressor | lamina.legacy.scikit_learn |
| K.image_dim_ordering(), K.set_image_dim_ordering("th") | image_data_format() |
| K.* math (sum, mean, dot, batch_dot, concatenate, ...) | lamina.ops |
| K.get_value/K.set_value(var) | var.value / var.assign() |
| K.function([inputs], [outputs]) | a Functional model called on arrays |
| keras.datasets.mnist, imdb, cifar10, ... | lamina.datasets (offline copies first) |

Not provided: keras.preprocessing.image (ImageDataGenerator), SReLU, ParametricSoftplus, LocallyConnected, Theano's "full" padding.
"""

from lamina.legacy.runner import run_script


def __getattr__(name):
    # The upgrader needs libcst; load it only when asked for.
    if name in ("upgrade_file", "upgrade_source"):
        from lamina.legacy import upgrade
        return getattr(upgrade, name)
    raise AttributeError(f"module 'lamina.legacy' has no attribute {name!r}")


__all__ = ["run_script", "upgrade_file", "upgrade_source"]
