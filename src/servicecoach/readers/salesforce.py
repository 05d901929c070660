from servicecoach.readers.connect import ConnectReader
class R(ConnectReader):
    name = 'salesforce'
    def sniff(self, s, h): return False
READER = R()
