'''Learning to add two one-digit numbers with a sequence-to-sequence LSTM (Keras 1 style, a small
addition_rnn.py): an encoder LSTM reads "3+5", RepeatVector feeds a decoder LSTM, and a
TimeDistributedDense softmax writes the answer "8 " one character at a time.

Expected: per-character training accuracy of at least 0.70 (about 0.95 after 150 epochs).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from keras.models import Sequential
from keras.layers.core import Activation, RepeatVector, TimeDistributedDense
from keras.layers import recurrent

chars = '0123456789+ '
char_indices = dict((c, i) for i, c in enumerate(chars))
MAXLEN = 3
ANSWER = 2
HIDDEN_SIZE = 32
BATCH_SIZE = 10
nb_epoch = int(os.environ.get('NB_EPOCH', 150))
RNN = recurrent.LSTM


def encode(text, length):
    X = np.zeros((length, len(chars)), dtype=bool)
    for i, c in enumerate(text):
        X[i, char_indices[c]] = 1
    return X


questions, answers = [], []
for a in range(10):
    for b in range(10):
        questions.append('%d+%d' % (a, b))
        answers.append(str(a + b).ljust(ANSWER))
X = np.array([encode(q, MAXLEN) for q in questions]).astype('float32')
y = np.array([encode(s, ANSWER) for s in answers]).astype('float32')

model = Sequential()
model.add(RNN(HIDDEN_SIZE, input_shape=(MAXLEN, len(chars))))
model.add(RepeatVector(ANSWER))
model.add(RNN(HIDDEN_SIZE, return_sequences=True))
model.add(TimeDistributedDense(len(chars)))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
history = model.fit(X, y, batch_size=BATCH_SIZE, nb_epoch=nb_epoch, verbose=0)
print('Training accuracy:', history.history['acc'][-1])
guess = model.predict_classes(X[:3], verbose=0)
print('Q', questions[:3], 'guess', [''.join(chars[i] for i in g) for g in guess])
