'''An LSTM text classifier on a generated task (Keras 1 style, in the manner of imdb_lstm.py).

Each "review" is a variable-length sequence of word indices; it is positive when it contains
word 1 ("great") more often than word 2 ("awful"). Sequences are padded with pad_sequences.
Gets to about 0.95 test accuracy (expected: at least 0.80).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from keras.preprocessing import sequence
from keras.models import Sequential
from keras.layers.core import Dense, Activation
from keras.layers.embeddings import Embedding
from keras.layers.recurrent import LSTM

max_features = 20
maxlen = 12
batch_size = 32
nb_epoch = int(os.environ.get('NB_EPOCH', 15))


def make_reviews(n):
    X, y = [], []
    while len(X) < n:
        length = np.random.randint(4, maxlen + 4)
        words = np.random.randint(3, max_features, size=length)
        great, awful = np.random.randint(0, 3, size=2)
        if great == awful:
            continue
        slots = np.random.choice(length, great + awful, replace=False)
        words[slots[:great]] = 1
        words[slots[great:]] = 2
        X.append(list(words))
        y.append(int(great > awful))
    return X, np.array(y)


X_train, y_train = make_reviews(800)
X_test, y_test = make_reviews(200)
print('Pad sequences (samples x time)')
X_train = sequence.pad_sequences(X_train, maxlen=maxlen)
X_test = sequence.pad_sequences(X_test, maxlen=maxlen)
print('X_train shape:', X_train.shape)

model = Sequential()
model.add(Embedding(max_features, 16, input_length=maxlen))
model.add(LSTM(output_dim=16, dropout_W=0.0, dropout_U=0.0))
model.add(Dense(1))
model.add(Activation('sigmoid'))

model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X_train, y_train, batch_size=batch_size, nb_epoch=nb_epoch, verbose=0,
          validation_data=(X_test, y_test))
score, acc = model.evaluate(X_test, y_test, batch_size=batch_size, verbose=0)
print('Test score:', score)
print('Test accuracy:', acc)
